package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestDCCHolderOnlyWhileTheVerdictShows: a verified DCC's verdict shows
// the holder's name and date of birth, escaped (a control sequence in the
// name is drawn as text, never sent to the terminal); once the verdict
// clears, nothing of them is left in the model — not the verdict, not the
// history, not a laid-out frame — and the history page does not show them.
func TestDCCHolderOnlyWhileTheVerdictShows(t *testing.T) {
	for _, lang := range []catalog.Lang{catalog.EN, catalog.RU, catalog.KK} {
		t.Run(string(lang), func(t *testing.T) {
			s := openScreen(t, false, lang)
			s.m.width, s.m.height = 132, 43
			v := kiosk.Verdict{At: s.now, Kind: kiosk.KindDCC, Decision: kiosk.Admit, HasStatus: true, Status: wire.Green,
				StatusUntil: s.now.Add(24 * time.Hour), Subject: "ab12…", SnapshotVersion: 3,
				Holder: &kiosk.Holder{Name: "Erika \x1b[2JMusterfrau", DateOfBirth: "1964-08-12"}}
			s.send(ResultMsg(kiosk.Result{Verdict: v}))
			screen := s.m.View().Content
			if strings.Contains(screen, "\x1b[2J") {
				t.Fatal("the name's control sequence reached the terminal")
			}
			text := s.text()
			if !strings.Contains(text, "Erika") || !strings.Contains(text, "Musterfrau") || !strings.Contains(text, "1964-08-12") {
				t.Fatalf("holder not on the verdict screen:\n%s", text)
			}
			if want := catalog.New(lang).Text(catalog.Holder, "x", "y"); !strings.Contains(text, strings.TrimPrefix(strings.SplitN(want, "y", 2)[0], "x")) {
				t.Errorf("holder line not in %s: %q", lang, want)
			}

			s.now = s.now.Add(s.m.opt.Hold + time.Millisecond)
			s.send(tickMsg(s.now))
			if s.m.last != nil {
				t.Fatal("the verdict stayed after Hold")
			}
			s.key(0) // draw the idle screen, as the program would
			s.m.View()
			s.m.page = pageHistory
			hist := s.text()
			dump := fmt.Sprintf("%#v", *s.m) // every value the model holds (pointers aside: m.last is nil)
			for _, secret := range []string{"Erika", "Musterfrau", "1964-08-12"} {
				if strings.Contains(dump, secret) || strings.Contains(hist, secret) {
					t.Errorf("%q is still in the model or on the history page after the verdict cleared", secret)
				}
			}
		})
	}
}
