package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// langSets are the screens' language settings with goldens of their own:
// each language alone, and the default, all three together.
var langSets = []struct {
	dir   string
	langs []catalog.Lang
}{
	{"kk", []catalog.Lang{catalog.KK}},
	{"ru", []catalog.Lang{catalog.RU}},
	{"kk-ru-en", []catalog.Lang{catalog.KK, catalog.RU, catalog.EN}},
}

// langSizes are the sizes every language is drawn at: a handheld, the
// standard terminal and a wall screen.
var langSizes = [][2]int{{32, 10}, {80, 24}, {200, 60}}

// detailedDeny is a red deny carrying every reason that has details, so
// their lines (expired 12 min ago; entered at 09:05, no exit; venue full
// 250/250; data 10 h old) are drawn in each language.
func detailedDeny() kiosk.Result {
	return kiosk.Result{Source: "wedge", Verdict: kiosk.Verdict{
		At: demoNow, Decision: kiosk.Deny, HasStatus: true, Status: wire.Red, Recorded: true,
		Reasons:    []reason.Code{reason.Isolation, reason.Expired, reason.Reentry, reason.Full, reason.StaleSnapshot},
		ExpiredAgo: 12 * time.Minute, FirstEntryAt: demoNow.Add(-55 * time.Minute),
		IINLast4: "0045", SnapshotVersion: 20782, StatusUntil: demoNow.Add(10 * 24 * time.Hour),
	}}
}

// goldenSet returns a demo screen in langs with a history of an admit, a
// deny and a not-verified scan, and the screens drawn for goldens.
func goldenSet(t *testing.T, langs ...catalog.Lang) (*screen, []struct {
	name string
	set  func()
}) {
	t.Helper()
	s := openScreen(t, true, langs...)
	ctx := context.Background()
	results := map[string]*kiosk.Result{}
	for _, c := range []struct{ name, payload string }{
		{"admit", demo.People()[0].IIN}, {"deny", demo.People()[3].IIN}, {"notverified", "4006381333931"},
	} {
		v, err := s.c.Check(ctx, c.payload, "wedge")
		r := kiosk.Result{Source: "wedge", Verdict: v, Err: err}
		s.m.remember(r)
		results[c.name] = &r
	}
	s.m.opt.Admin = AdminOptions{SetDirection: func(policy.Direction) error { return nil },
		StorePath: "/var/lib/doorcheck/doorcheck.db", HubURL: "https://hub.example:8443"}
	dd := detailedDeny()
	s.m.remember(dd)
	s.m.stats, _ = s.c.Stats(ctx)
	vs, _ := s.c.Recent(ctx, 100)
	s.m.hourly = countHours(vs, s.m.stats.Day, time.UTC)
	manual := func() {
		s.m.last, s.m.page, s.m.dialog = nil, pageManual, nil
		s.m.manual, s.m.manualHint = demo.People()[0].IIN, ""
	}
	return s, []struct {
		name string
		set  func()
	}{
		{"idle", func() { s.m.last, s.m.page, s.m.dialog, s.m.manual = nil, pageMain, nil, "" }},
		{"admit", func() { s.m.last, s.m.page, s.m.dialog = results["admit"], pageMain, nil }},
		{"deny", func() { s.m.last, s.m.page, s.m.dialog = results["deny"], pageMain, nil }},
		{"denydetails", func() { s.m.last, s.m.page, s.m.dialog = &dd, pageMain, nil }},
		{"notverified", func() { s.m.last, s.m.page, s.m.dialog = results["notverified"], pageMain, nil }},
		{"manual", manual},
		{"history", func() { s.m.last, s.m.page, s.m.dialog, s.m.manual = nil, pageHistory, nil, "" }},
		{"stats", func() { s.m.last, s.m.page, s.m.dialog = nil, pageStats, nil }},
		{"help", func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, newHelpDialog(s.m) }},
		{"settings", func() { s.m.last, s.m.page, s.m.dialog = nil, pageSettings, nil }},
	}
}

// TestGoldenScreensPerLanguage: every screen in Kazakh, in Russian and in
// all three together, at a handheld's, a terminal's and a wall screen's
// size, as text; each fits its size exactly, and the words the screen
// must show are there in the language shown.
func TestGoldenScreensPerLanguage(t *testing.T) {
	for _, ls := range langSets {
		t.Run(ls.dir, func(t *testing.T) {
			s, screens := goldenSet(t, ls.langs...)
			cat := catalog.New(ls.langs...)
			first := cat.First()
			for _, sc := range screens {
				sc.set()
				for _, sz := range langSizes {
					s.m.width, s.m.height = sz[0], sz[1]
					text := ansi.Strip(s.m.View().Content)
					checkFits(t, ls.dir+" "+sc.name, text, sz)
					golden(t, filepath.Join("testdata", ls.dir, fmt.Sprintf("%s-%dx%d.golden", sc.name, sz[0], sz[1])), text)
					if sz[0] < 80 {
						continue
					}
					// From 80 columns the first language's words are all there.
					var want []string
					switch sc.name {
					case "idle":
						want = []string{cat.Lookup(first, catalog.ScanPass)}
					case "deny", "denydetails":
						want = []string{cat.Lookup(first, catalog.StatusRed)}
					case "manual":
						want = []string{cat.Lookup(first, catalog.ManualTitle), cat.Lookup(first, catalog.ManualChecksumOK)}
					case "history":
						want = []string{cat.Lookup(first, catalog.HistoryTitle), cat.Reason(first, reason.Isolation, catalog.Details{})}
					case "stats":
						want = []string{cat.Lookup(first, catalog.StatsEntries), cat.Reason(first, reason.Isolation, catalog.Details{})}
					case "help":
						want = []string{cat.Lookup(first, catalog.HelpTitle)}
					case "settings":
						want = []string{cat.Lookup(first, catalog.SettingsTitle), cat.Lookup(first, catalog.SettingsHub), "https://hub.example:8443"}
					}
					if sc.name == "denydetails" {
						d := s.m.details(s.m.last.Verdict)
						for _, c := range s.m.last.Verdict.Reasons {
							want = append(want, cat.Reason(first, c, d))
						}
					}
					for _, w := range want {
						if !strings.Contains(text, w) {
							t.Errorf("%s %s %dx%d lacks %q:\n%s", ls.dir, sc.name, sz[0], sz[1], w, text)
						}
					}
				}
			}
		})
	}
}

// TestReasonDetailsOnScreen: the reason lines of a deny carry their
// details, in the language shown: expired 12 min ago, entered at 09:05
// with no exit, venue full 250/250, data 10 h old.
func TestReasonDetailsOnScreen(t *testing.T) {
	want := map[catalog.Lang][]string{
		catalog.EN: {"pass expired 12 min ago", "entered at 09:05, no exit recorded", "venue is full 250/250", "10 h 0 min old"},
		catalog.RU: {"12 мин", "09:05", "250/250", "10 ч 0 мин"},
		catalog.KK: {"12 мин", "09:05", "250/250", "10 сағ 0 мин"},
	}
	for l, parts := range want {
		s := openScreen(t, false, l)
		s.m.stats.Snapshot.Age = 10 * time.Hour
		s.send(tea.WindowSizeMsg{Width: 120, Height: 40})
		s.send(ResultMsg(detailedDeny()))
		text := s.text()
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Errorf("%s: the verdict lacks %q:\n%s", l, p, text)
			}
		}
		s.m.last = nil
		s.key(tea.KeyF3)
		if h := s.text(); !strings.Contains(h, s.m.cat.Reason(l, reason.Isolation, catalog.Details{})) {
			t.Errorf("%s: history lacks the reason:\n%s", l, h)
		}
	}
}

// TestSeveralLanguagesTogether: with kk, ru and en configured, a line
// that fits shows all three in order, joined; the verdict word is drawn
// in block letters in Kazakh with every language's word under it; a line
// too long for the width is the first language alone.
func TestSeveralLanguagesTogether(t *testing.T) {
	s := openScreen(t, false, catalog.KK, catalog.RU, catalog.EN)
	s.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	s.check(t, demo.People()[3].IIN)
	text := s.text()
	if want := "ТОҚТАҢЫЗ | СТОП | STOP"; !strings.Contains(text, want) {
		t.Errorf("verdict lacks %q:\n%s", want, text)
	}
	if want := "оқшаулауда | на изоляции | in isolation"; !strings.Contains(text, want) {
		t.Errorf("verdict lacks %q:\n%s", want, text)
	}
	if title := s.m.View().WindowTitle; title != "doorcheck: ТОҚТАҢЫЗ | СТОП | STOP" {
		t.Errorf("title %q", title)
	}
	if !strings.Contains(text, "█") {
		t.Errorf("no block letters:\n%s", text)
	}
	s.send(tea.WindowSizeMsg{Width: 32, Height: 10})
	if got := s.m.fit(32, catalog.ScanPass); got != "РҰҚСАТНАМАНЫ СКАНЕРЛЕҢІЗ" {
		t.Errorf("a line too long for 32 columns: %q, want the first language", got)
	}
	if got := s.m.fit(80, catalog.Entry); got != "КІРУ | ВХОД | ENTRY" {
		t.Errorf("fit = %q", got)
	}
}
