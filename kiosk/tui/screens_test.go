package tui

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/layout"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/pass"
)

// screen is a model driven message by message, with no program: its
// clock is moved by hand and its scans collected, so each transition is
// checked on the model itself.
type screen struct {
	m       *Model
	c       *kiosk.Checker
	now     time.Time
	scans   []scanner.Scan
	flushed int
}

func newScreen(t *testing.T, demoKiosk bool) *screen { return openScreen(t, demoKiosk, catalog.EN) }

// newScreenTB is a demo screen for benchmarks.
func newScreenTB(b *testing.B) *screen { return openScreen(b, true, catalog.EN) }

// openScreen is a screen in langs (shown together, in order).
func openScreen(t testing.TB, demoKiosk bool, langs ...catalog.Lang) *screen {
	t.Helper()
	s := &screen{c: openChecker(t, false), now: demoNow}
	var samples []DemoSample
	if demoKiosk {
		ds, err := demo.Samples(demoNow)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			samples = append(samples, DemoSample{Label: d.Label, Payload: d.Payload, Expect: d.Expect})
		}
	}
	s.m = New(context.Background(), Options{
		Checker:  s.c,
		Submit:   func(sc scanner.Scan) { s.scans = append(s.scans, sc) },
		Wedge:    wedge.Options{Valid: pass.Recognised, Layouts: []layout.Layout{layout.Russian(), layout.Kazakh()}},
		Location: time.UTC,
		Now:      func() time.Time { return s.now },
		Title:    "cinema · north",
		Venue:    "cinema", Door: "north", Direction: "entry",
		Demo: demoKiosk, Samples: samples, Capacity: 250,
		Lock: LockOptions{Languages: langs},
	})
	s.m.width, s.m.height = 80, 24
	s.m.stats, _ = s.c.Stats(context.Background())
	return s
}

// send handles msg and runs the commands it returns, as a program would
// (submits run, so scans are collected; results come back as messages).
func (s *screen) send(msg tea.Msg) {
	_, cmd := s.m.Update(msg)
	s.run(cmd, 0)
}

func (s *screen) run(cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 3 {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			s.run(c, depth+1)
		}
	case tickMsg, nil:
	case statsMsg, hourlyMsg, ResultMsg:
		_, next := s.m.Update(msg)
		s.run(next, depth+1)
	}
}

// key presses a key with no text (F-keys, Esc) or a character.
func (s *screen) key(code rune) {
	k := tea.KeyPressMsg{Code: code}
	if code >= ' ' && code < tea.KeyExtended {
		k.Text = string(code)
	}
	s.send(k)
}

// typeSlowly types text as a person does, 150 ms a key, then Enter.
func (s *screen) typeSlowly(text string, enter bool) {
	for _, r := range text {
		s.now = s.now.Add(150 * time.Millisecond)
		s.key(r)
	}
	if enter {
		s.now = s.now.Add(150 * time.Millisecond)
		s.send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
}

// burst types text as a scanner does, 2 ms a key, then Enter.
func (s *screen) burst(text string) {
	for _, r := range text {
		s.now = s.now.Add(2 * time.Millisecond)
		s.key(r)
	}
	s.now = s.now.Add(2 * time.Millisecond)
	s.send(tea.KeyPressMsg{Code: tea.KeyEnter})
}

// check runs payload through the checker and shows its result.
func (s *screen) check(t *testing.T, payload string) kiosk.Result { return s.checkTB(t, payload) }

func (s *screen) checkTB(t testing.TB, payload string) kiosk.Result {
	t.Helper()
	v, err := s.c.Check(context.Background(), payload, "wedge")
	r := kiosk.Result{Source: "wedge", Verdict: v, Err: err}
	s.send(ResultMsg(r))
	return r
}

// text is the screen as plain text.
func (s *screen) text() string { return ansi.Strip(s.m.View().Content) }

// recordingDialog stands for the PIN, confirm and override dialogs: it
// keeps everything routed to it.
type recordingDialog struct{ got *[]tea.Msg }

func (d recordingDialog) Update(msg tea.Msg) (component, tea.Cmd) {
	*d.got = append(*d.got, msg)
	if k, ok := msg.(dialogKeyMsg); ok && tea.KeyPressMsg(k).Code == tea.KeyEscape {
		return nil, nil
	}
	return d, nil
}
func (recordingDialog) View(w, h int) string { return "PIN DIALOG" }
func (recordingDialog) Keys() []key.Binding  { return nil }

func TestRouterTransitions(t *testing.T) {
	type step struct {
		do   func(s *screen)
		page pageID
		// dialog: "" none, else the dialog's type name
		dialog string
		shows  string
	}
	f := func(code rune) func(*screen) { return func(s *screen) { s.key(code) } }
	tests := []struct {
		name  string
		steps []step
	}{
		{"pages by F-keys and back", []step{
			{f(tea.KeyF2), pageManual, "", english(catalog.ManualTitle)},
			{f(tea.KeyF2), pageMain, "", english(catalog.ScanPass)},
			{f(tea.KeyF3), pageHistory, "", english(catalog.HistoryTitle)},
			{f(tea.KeyEscape), pageMain, "", english(catalog.ScanPass)},
			{f(tea.KeyF4), pageStats, "", "TODAY"},
			{f(tea.KeyF3), pageHistory, "", english(catalog.HistoryTitle)},
			{f(tea.KeyF3), pageMain, "", english(catalog.ScanPass)},
		}},
		{"help opens over a page and closes", []step{
			{f(tea.KeyF4), pageStats, "", "TODAY"},
			{f(tea.KeyF1), pageStats, "tui.helpDialog", english(catalog.HelpTitle)},
			{f(tea.KeyF2), pageStats, "tui.helpDialog", english(catalog.HelpTitle)}, // modal: F2 is the dialog's
			{f(tea.KeyEscape), pageStats, "", "TODAY"},
			{f(tea.KeyF1), pageStats, "tui.helpDialog", "F8"},
			{f(tea.KeyF1), pageStats, "", "TODAY"},
		}},
		{"demo samples", []step{
			{f(tea.KeyF5), pageMain, "tui.samplesDialog", "IIN, "},
			{f(tea.KeyF5), pageMain, "", english(catalog.DemoBanner)},
		}},
		{"Esc on the manual page clears first, then goes back", []step{
			{f(tea.KeyF2), pageManual, "", "0 of 12"},
			{func(s *screen) { s.typeSlowly("900", false) }, pageManual, "", "3 of 12"},
			{f(tea.KeyEscape), pageManual, "", "0 of 12"},
			{f(tea.KeyEscape), pageMain, "", english(catalog.ScanPass)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScreen(t, true)
			for i, st := range tt.steps {
				st.do(s)
				if s.m.page != st.page {
					t.Errorf("step %d: page %d, want %d", i, s.m.page, st.page)
				}
				got := ""
				if s.m.dialog != nil {
					got = fmt.Sprintf("%T", s.m.dialog)
				}
				if got != st.dialog {
					t.Errorf("step %d: dialog %q, want %q", i, got, st.dialog)
				}
				if !strings.Contains(s.text(), st.shows) {
					t.Errorf("step %d: screen lacks %q:\n%s", i, st.shows, s.text())
				}
			}
		})
	}
}

// TestVerdictTransitions: idle → verdict → idle after Hold; a new scan
// replaces a verdict at once; a verdict shows over any page and the page
// comes back after it; a verdict closes help.
func TestVerdictTransitions(t *testing.T) {
	s := newScreen(t, false)
	s.key(tea.KeyF3)
	s.key(tea.KeyF1)
	s.check(t, demo.People()[0].IIN)
	if s.m.last == nil || s.m.dialog != nil {
		t.Fatalf("verdict not shown or help not closed: last %v dialog %T", s.m.last, s.m.dialog)
	}
	if !strings.Contains(s.m.View().WindowTitle, "ENTER") {
		t.Errorf("title %q", s.m.View().WindowTitle)
	}
	s.now = s.now.Add(time.Second)
	s.check(t, demo.People()[4].IIN)
	if !strings.Contains(s.m.View().WindowTitle, "STOP") {
		t.Errorf("the new scan did not replace the verdict: %q", s.m.View().WindowTitle)
	}
	s.now = s.now.Add(s.m.opt.Hold - time.Millisecond)
	s.send(tickMsg(s.now))
	if s.m.last == nil {
		t.Fatal("the verdict left before Hold")
	}
	s.now = s.now.Add(2 * time.Millisecond)
	s.send(tickMsg(s.now))
	if s.m.last != nil {
		t.Fatal("the verdict stayed after Hold")
	}
	if s.m.page != pageHistory || !strings.Contains(s.text(), english(catalog.HistoryTitle)) {
		t.Errorf("the page did not come back: %d", s.m.page)
	}
}

// TestScanWhileDialogOpen: a scanner burst with a dialog open is a scan
// for the checker, never the dialog's answer; what a person types is
// the dialog's, never a scan and never the manual field.
func TestScanWhileDialogOpen(t *testing.T) {
	s := newScreen(t, false)
	var got []tea.Msg
	s.m.openDialog(recordingDialog{&got})
	iin := demo.People()[0].IIN
	s.burst(iin)
	if len(s.scans) != 1 || s.scans[0].Payload != iin || s.scans[0].Source != wedge.SourceWedge {
		t.Fatalf("scans %+v, want the burst", s.scans)
	}
	for _, msg := range got {
		if _, ok := msg.(dialogSubmitMsg); ok {
			t.Fatalf("the burst answered the dialog: %#v", got)
		}
	}
	got = nil
	s.now = s.now.Add(time.Second)
	s.typeSlowly("1234", true)
	if len(s.scans) != 1 {
		t.Fatalf("typing into the dialog became a scan: %+v", s.scans)
	}
	if len(got) == 0 || got[len(got)-1] != dialogSubmitMsg("1234") {
		t.Fatalf("the dialog got %#v, want its text submitted", got)
	}
	if s.m.manual != "" || strings.Contains(s.text(), "1234") {
		t.Errorf("the dialog's text reached the manual field: %q", s.m.manual)
	}
	s.typeSlowly("56", false)
	s.key(tea.KeyEscape)
	if s.m.dialog != nil || s.m.manual != "" {
		t.Errorf("Esc: dialog %T, field %q", s.m.dialog, s.m.manual)
	}
}

func TestManualFeedback(t *testing.T) {
	good := demo.People()[0].IIN
	bad := good[:11] + fmt.Sprint((int(good[11]-'0')+1)%10)
	tests := []struct {
		typed, want string
	}{
		{"", "0 of 12"},
		{"9001", "4 of 12"},
		{good[:11], "11 of 12"},
		{good, english(catalog.ManualChecksumOK)},
		{bad, english(catalog.ManualChecksumBad)},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			s := newScreen(t, false)
			s.key(tea.KeyF2)
			s.typeSlowly(tt.typed, false)
			if !strings.Contains(s.text(), tt.want) {
				t.Errorf("typed %q: screen lacks %q:\n%s", tt.typed, tt.want, s.text())
			}
		})
	}
	t.Run("letters refused", func(t *testing.T) {
		s := newScreen(t, false)
		s.key(tea.KeyF2)
		s.typeSlowly("90x", false)
		if s.m.manualHint == "" || !strings.Contains(s.text(), s.m.manualHint) {
			t.Errorf("no refusal shown (hint %q):\n%s", s.m.manualHint, s.text())
		}
	})
	t.Run("Enter checks it", func(t *testing.T) {
		s := newScreen(t, false)
		s.key(tea.KeyF2)
		s.typeSlowly(good, true)
		if len(s.scans) != 1 || s.scans[0].Payload != good || s.scans[0].Source != wedge.SourceManual {
			t.Errorf("scans %+v", s.scans)
		}
	})
}

// TestHistoryShowsLastFourOnly: the history lists each scan with the last
// four IIN digits, never the subject hash nor the whole IIN.
func TestHistoryShowsLastFourOnly(t *testing.T) {
	s := newScreen(t, false)
	var rs []kiosk.Result
	for _, p := range []int{0, 4, 3} {
		s.now = s.now.Add(time.Minute)
		rs = append(rs, s.check(t, demo.People()[p].IIN))
	}
	rs = append(rs, s.check(t, "4006381333931"))
	s.m.last = nil
	s.key(tea.KeyF3)
	text := s.text()
	for _, r := range rs[:3] {
		iin := demo.People()[0].IIN
		_ = iin
		if !strings.Contains(text, r.Verdict.IINLast4) || r.Verdict.IINLast4 == "" {
			t.Errorf("history lacks …%s:\n%s", r.Verdict.IINLast4, text)
		}
		if r.Verdict.Subject != "" && strings.Contains(text, r.Verdict.Subject) {
			t.Errorf("history shows the subject hash %s", r.Verdict.Subject)
		}
	}
	for _, p := range demo.People() {
		if strings.Contains(text, p.IIN) {
			t.Errorf("history shows a whole IIN")
		}
	}
	for _, want := range []string{"ENTER", "STOP", "NOT VERIFIED"} {
		if !strings.Contains(text, want) {
			t.Errorf("history lacks %s", want)
		}
	}
	s.m.last = &rs[0]
	if strings.Contains(s.text(), rs[0].Verdict.Subject) {
		t.Errorf("the verdict shows the subject hash")
	}
	if !strings.Contains(s.text(), "IIN …"+rs[0].Verdict.IINLast4) {
		t.Errorf("the verdict lacks the last four digits:\n%s", s.text())
	}
}

func TestStatsPage(t *testing.T) {
	s := newScreen(t, false)
	s.check(t, demo.People()[0].IIN)
	s.check(t, demo.People()[4].IIN)
	s.check(t, "4006381333931")
	s.m.last = nil
	s.key(tea.KeyF4)
	text := s.text()
	for _, want := range []string{`Entries +1 `, `Not verified +1 `, `Inside now +1 / 250 `, `Denied +2 `, english(catalog.StatsHourly)} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("stats lack %q:\n%s", want, text)
		}
	}
	if s.m.hourly.entries[demoNow.Hour()] != 1 {
		t.Errorf("hourly %v", s.m.hourly.entries)
	}
	if !strings.Contains(text, "█") {
		t.Errorf("no bar in the chart:\n%s", text)
	}
}

// screenSizes are the layouts the issue names, handheld to wall screen.
var screenSizes = [][2]int{{32, 10}, {40, 12}, {80, 24}, {132, 43}, {200, 60}}

// TestResizeEveryScreen: every page and dialog fills exactly the new size
// after a WindowSizeMsg, none wider.
func TestResizeEveryScreen(t *testing.T) {
	s := newScreen(t, true)
	r := s.check(t, demo.People()[4].IIN)
	setups := map[string]func(){
		"idle":    func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, nil },
		"verdict": func() { s.m.last, s.m.page, s.m.dialog = &r, pageMain, nil },
		"manual":  func() { s.m.last, s.m.page, s.m.dialog = nil, pageManual, nil },
		"history": func() { s.m.last, s.m.page, s.m.dialog = nil, pageHistory, nil },
		"stats":   func() { s.m.last, s.m.page, s.m.dialog = nil, pageStats, nil },
		"help":    func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, newHelpDialog(s.m) },
		"samples": func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, samplesDialog{s.m} },
	}
	for name, setup := range setups {
		setup()
		for _, sz := range append(screenSizes, [2]int{20, 6}, [2]int{300, 90}) {
			s.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			checkFits(t, name, s.text(), sz)
		}
	}
}

func checkFits(t *testing.T, name, text string, sz [2]int) {
	t.Helper()
	lines := strings.Split(text, "\n")
	if len(lines) != sz[1] {
		t.Errorf("%s %dx%d: %d lines", name, sz[0], sz[1], len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > sz[0] {
			t.Errorf("%s %dx%d: line %d is %d wide", name, sz[0], sz[1], i, w)
		}
	}
}

// TestGoldenScreens: every screen at every size as text (ANSI, the Linux
// console's profile), and the verdicts at 80x24 with their escape codes
// under forced colour profiles (ANSI, TrueColor, none as NO_COLOR gives),
// through the same downsampling Bubble Tea's renderer applies. Colours are
// also checked as SGR background codes.
func TestGoldenScreens(t *testing.T) {
	s := newScreen(t, true)
	ctx := context.Background()
	results := map[string]*kiosk.Result{}
	for _, c := range []struct{ name, payload string }{
		{"admit", demo.People()[0].IIN}, {"deny", demo.People()[4].IIN}, {"notverified", "4006381333931"},
	} {
		v, err := s.c.Check(ctx, c.payload, "wedge")
		r := kiosk.Result{Source: "wedge", Verdict: v, Err: err}
		s.m.remember(r)
		results[c.name] = &r
	}
	s.m.stats, _ = s.c.Stats(ctx)
	_, cmd := s.m.Update(hourlyMsg{})
	_ = cmd
	vs, _ := s.c.Recent(ctx, 100)
	s.m.hourly = countHours(vs, s.m.stats.Day, time.UTC)
	screens := []struct {
		name string
		set  func()
	}{
		{"idle", func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, nil }},
		{"admit", func() { s.m.last, s.m.page, s.m.dialog = results["admit"], pageMain, nil }},
		{"deny", func() { s.m.last, s.m.page, s.m.dialog = results["deny"], pageMain, nil }},
		{"notverified", func() { s.m.last, s.m.page, s.m.dialog = results["notverified"], pageMain, nil }},
		{"history", func() { s.m.last, s.m.page, s.m.dialog = nil, pageHistory, nil }},
		{"stats", func() { s.m.last, s.m.page, s.m.dialog = nil, pageStats, nil }},
		{"help", func() { s.m.last, s.m.page, s.m.dialog = nil, pageMain, newHelpDialog(s.m) }},
	}
	bg := map[string]string{"admit": "42", "deny": "43", "notverified": "47"}
	for _, sc := range screens {
		sc.set()
		for _, sz := range screenSizes {
			s.m.width, s.m.height = sz[0], sz[1]
			content := s.m.View().Content
			if code, ok := bg[sc.name]; ok && !hasBackground(content, code) {
				t.Errorf("%s %dx%d: background %s missing", sc.name, sz[0], sz[1], code)
			}
			text := ansi.Strip(content)
			checkFits(t, sc.name, text, sz)
			golden(t, filepath.Join("testdata", fmt.Sprintf("%s-%dx%d.golden", sc.name, sz[0], sz[1])), text)
		}
		if _, ok := bg[sc.name]; !ok && sc.name != "idle" {
			continue
		}
		s.m.width, s.m.height = 80, 24
		for _, p := range []struct {
			name    string
			profile colorprofile.Profile
		}{{"ansi", colorprofile.ANSI}, {"truecolor", colorprofile.TrueColor}, {"nocolor", colorprofile.Ascii}} {
			var b bytes.Buffer
			w := &colorprofile.Writer{Forward: &b, Profile: p.profile}
			if _, err := w.WriteString(s.m.View().Content); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if p.profile == colorprofile.Ascii && strings.Contains(out, "[4") && bg[sc.name] != "" && hasBackground(out, bg[sc.name]) {
				t.Errorf("%s: a background colour under NO_COLOR", sc.name)
			}
			golden(t, filepath.Join("testdata", fmt.Sprintf("%s-80x24.%s.golden", sc.name, p.name)), strings.ReplaceAll(out, "\x1b", "\\e"))
		}
	}
}
