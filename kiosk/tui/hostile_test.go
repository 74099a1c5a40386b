package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/layout"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// The hostile-input half of the proof suite that runs through the screen:
// every way input reaches the TUI (a wedge scanner's burst, slow typing,
// paste, the manual field and Enter), fed the hostile corpus, and the bytes
// written to the terminal checked by rawOutputProblems.

// hostileCorpus is what an attacker types, scans or pastes: terminal
// sequences in their 7-bit and 8-bit forms (U+009B and U+009D as UTF-8,
// and as the raw bytes 0x9b and 0x9d), bidi and invisible characters, C0
// controls and DEL, invalid UTF-8, and one very long input of about long
// bytes.
//
// Pasted, the long input is 100 KB. Typed, key by key, it is 4.2 KB:
// longer than any burst (wedge.DefaultMax) or typed entry may be, so both
// bounds are crossed, but not 100 KB, because Bubble Tea renders the whole
// screen after every key (about 1 ms here), so 100 KB of keys would take
// minutes. The wedge package's own tests feed 100 KB of keys.
func hostileCorpus(long int) []string {
	c := []string{
		"\x1b]0;pwned\x07",
		"\x1b[2J",
		"\u009b2J",
		"\u009d0;pwned\u009c",
		"\x9b2J",
		"\x9d0;pwned\x07",
		"\u202e", "\u2066", "\u200b", "\u00ad", "\u0085",
		"\x00", "\x7f",
		"\xff\xfe", "\xc3",
		"\\x1b",
	}
	return append(c, longHostile(long))
}

const (
	typedLong  = 4200
	pastedLong = 100 << 10
)

// longHostile returns about n bytes of hostile text: mostly bidi
// overrides, three bytes for one key, with the other kinds mixed in.
func longHostile(n int) string {
	var b strings.Builder
	for b.Len() < n {
		// No raw 0x9d: on a real terminal Bubble Tea's decoder reads it as
		// the start of an OSC and swallows everything up to a terminator
		// (the corpus has a terminated one).
		b.WriteString(strings.Repeat("\u202e", 60) + "7\x1b[2J\u009b\x9b\u200b\xff")
	}
	return b.String()
}

// harmlessWhenTyped are the corpus items whose keys the screen drops or
// acts on (NUL types nothing, DEL is Backspace), so that typed they leave
// a digits-only entry, which may be submitted.
func harmlessWhenTyped(item string) bool { return item == "\x00" || item == "\x7f" }

// hostileEntry wraps a corpus item in digits, so it lands in the middle
// of what looks like an IIN being typed and is long enough for a burst,
// and so no keys the screen drops (NUL, DEL as Backspace) can leave a
// valid IIN behind: the digits alone are 11.
func hostileEntry(item string) string { return "9001" + item + "0140000" }

// sentinel is a valid IIN with a status (green): its verdict, which no
// hostile entry can earn, tells the test that the screen has handled
// everything sent before it.
func sentinel() string { return demo.People()[0].IIN }

// stepClock is the screen's clock in the typing tests: every reading moves
// it on by step, so each message the model handles, each key among them,
// comes at least step after the one before, with no real sleep.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// keysOf returns s as key presses the way the harshest terminal decoder
// could: each rune with its own text, controls included, and each invalid
// byte as a key with that byte as its text.
func keysOf(s string) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		ks = append(ks, tea.KeyPressMsg{Code: r, Text: s[i : i+n]})
		i += n
	}
	return ks
}

func typeKeys(tm *teatest.TestModel, s string) {
	for _, k := range keysOf(s) {
		tm.Send(k)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
}

func pasteText(tm *teatest.TestModel, s string) {
	tm.Send(tea.PasteStartMsg{})
	tm.Send(tea.PasteMsg{Content: s})
	tm.Send(tea.PasteEndMsg{})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
}

// awaitSentinel waits for the sentinel's verdict, the only one with a
// status, and returns the hostile results that came before it.
func awaitSentinel(t *testing.T, results <-chan kiosk.Result) []kiosk.Result {
	t.Helper()
	var hostile []kiosk.Result
	timeout := time.After(20 * time.Second)
	for {
		select {
		case r := <-results:
			if r.Verdict.HasStatus {
				return hostile
			}
			hostile = append(hostile, r)
		case <-timeout:
			t.Fatalf("the sentinel's verdict never came (%d other results)", len(hostile))
		}
	}
}

// TestHostileInputThroughTheScreen drives the corpus through each input
// path of the screen under teatest and checks every byte written.
func TestHostileInputThroughTheScreen(t *testing.T) {
	paths := []struct {
		name string
		// step is the time between key presses: 0 for a wedge scanner's
		// burst, 150 ms for slow typing (a person, or a slow scanner).
		step time.Duration
		send func(tm *teatest.TestModel, s string)
		long int
	}{
		{"wedge burst", 0, typeKeys, typedLong},
		{"slow typing into the manual field", 150 * time.Millisecond, typeKeys, typedLong},
		{"paste", 150 * time.Millisecond, pasteText, pastedLong},
	}
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			clock := &stepClock{t: demoNow, step: path.step}
			h := newHarness(t, clock.now)
			tm := teatest.NewTestModel(t, h.m, teatest.WithInitialTermSize(80, 24))
			h.start(tm.Send)
			results := h.results
			for _, item := range hostileCorpus(path.long) {
				path.send(tm, hostileEntry(item))
				typeKeys(tm, sentinel()) // a burst, or typed slowly
				scans := awaitSentinel(t, results)
				checkHostileScans(t, item, scans, path.step != 0 && !(harmlessWhenTyped(item) && path.long == typedLong))
			}
			quit(tm)
			out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(10*time.Second)))
			if err != nil {
				t.Fatal(err)
			}
			requireCleanOutput(t, path.name, out)
		})
	}
}

// checkHostileScans checks what a hostile entry was submitted as: never a
// verdict with a status, and, for an entry typed or pasted into the IIN
// field (noScan), nothing at all.
func checkHostileScans(t *testing.T, item string, scans []kiosk.Result, noScan bool) {
	t.Helper()
	for _, r := range scans {
		if noScan {
			t.Errorf("%q: entry submitted (%s); the IIN field holds only what an IIN can", clip([]byte(item)), r.Verdict.Decision)
		}
		if r.Verdict.Decision == kiosk.Admit || r.Verdict.HasStatus {
			t.Errorf("%q: earned %s %s", clip([]byte(item)), r.Verdict.Decision, r.Verdict.StatusName())
		}
	}
}

func quit(tm *teatest.TestModel) {
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
}

// TestHostileInputOnARealTerminal runs the screen on a pseudo-terminal, so
// input goes through the terminal's line discipline and Bubble Tea's own
// decoder, and checks the very bytes the terminal received. Keys come from
// the pty as one write each entry; the step clock makes them a person's
// (slow) typing. Each entry is then pasted with bracketed paste.
func TestHostileInputOnARealTerminal(t *testing.T) {
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skip(err)
	}
	defer ptm.Close()
	defer pts.Close()
	pty.Setsize(ptm, &pty.Winsize{Rows: 24, Cols: 80})

	clock := &stepClock{t: demoNow, step: 150 * time.Millisecond}
	h := newHarness(t, clock.now)
	results := h.results
	p := tea.NewProgram(h.m, tea.WithContext(h.ctx), tea.WithInput(pts), tea.WithOutput(pts),
		tea.WithEnvironment([]string{"TERM=xterm-256color", "COLORTERM=truecolor"}), tea.WithoutSignals())
	h.start(p.Send)
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()

	screen := newTermLog()
	copied := make(chan struct{})
	go func() { io.Copy(screen, ptm); close(copied) }()
	// Bubble Tea puts the terminal in raw mode before it draws; until
	// then the line discipline would cook (and echo) what is typed.
	screen.waitFor(t, english(catalog.ScanPass))

	typed, pasted := hostileCorpus(typedLong), hostileCorpus(pastedLong)
	for i := range typed {
		// Bubble Tea's decoder takes the sequences it recognises (ESC ],
		// ESC [, raw 0x9b and 0x9d, invalid bytes) out of what is typed or
		// pasted, so some entries arrive as digits only and are submitted.
		ptm.Write([]byte(hostileEntry(typed[i]) + "\r" + sentinel() + "\r"))
		checkHostileScans(t, typed[i], awaitSentinel(t, results), false)
		ptm.Write([]byte("\x1b[200~" + hostileEntry(pasted[i]) + "\x1b[201~\r" + sentinel() + "\r"))
		checkHostileScans(t, pasted[i], awaitSentinel(t, results), false)
	}
	screen.waitFor(t, "ENTER")
	ptm.Write([]byte{0x11, 0x11}) // Ctrl+Q twice
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the screen did not quit on Ctrl+Q twice")
	}
	pts.Close() // the last slave descriptor: the copy ends at EIO
	<-copied
	requireCleanOutput(t, "pty", screen.bytes())
}

// termLog collects what a terminal received and lets a test wait for text
// without sleeping: every write wakes the waiters.
type termLog struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newTermLog() *termLog { return &termLog{changed: make(chan struct{})} }

func (l *termLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *termLog) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

func (l *termLog) waitFor(t *testing.T, text string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		found, changed := bytes.Contains(l.b.Bytes(), []byte(text)), l.changed
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("the terminal never showed %q", text)
		}
	}
}

// TestEverythingDrawnIsEscapedOnce sets each thing the screen draws that
// came from outside to hostile text and checks the rendered screen: raw
// text must never get through, and text must be escaped exactly once (a
// backslash doubled, not quadrupled; a scanner event's detail, which its
// producer escaped, left as it is).
func TestEverythingDrawnIsEscapedOnce(t *testing.T) {
	const evil = "a\\b\x1b]0;pwned\x07\x1b[2J\u009b\u202e\u200b"
	escaped := sanitize.Escape(evil)
	tests := []struct {
		name  string
		set   func(m *Model)
		shown string // what the screen must show, exactly once escaped
	}{
		{"manual field", func(m *Model) { m.manual = evil }, escaped},
		{"manual field under a verdict", func(m *Model) {
			m.manual = evil
			m.last = &kiosk.Result{Err: errors.New("x")}
		}, escaped},
		{"verdict error", func(m *Model) { m.last = &kiosk.Result{Err: errors.New(evil)} }, escaped},
		{"cannot record", func(m *Model) {
			m.last = &kiosk.Result{Err: errors.New(evil), Verdict: kiosk.Verdict{Decision: kiosk.Admit}}
		}, escaped},
		{"venue and door", func(m *Model) { m.opt.Title = evil }, escaped},
		{"venue on the idle screen", func(m *Model) { m.opt.Venue = evil }, escaped},
		{"demo sample", func(m *Model) {
			m.opt.Demo, m.opt.Samples = true, []DemoSample{{Label: "x", Payload: evil}}
		}, escaped},
		{"scanner event detail, escaped by its producer", func(m *Model) {
			m.Update(eventMsg(scanner.Event{Kind: scanner.Dropped, Source: "serial:/dev/x", Detail: "scan ignored: " + escaped}))
		}, "scan ignored: " + escaped},
		{"scanner event detail from a producer that forgot", func(m *Model) {
			m.Update(eventMsg(scanner.Event{Kind: scanner.Dropped, Source: "serial:/dev/x", Detail: evil}))
		}, escaped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newHarness(t, func() time.Time { return demoNow }).m
			m.width, m.height = 200, 40
			tt.set(m)
			content := m.View().Content
			requireClean(t, tt.name, []byte(content), viewC0)
			text := strings.ReplaceAll(ansi.Strip(content), "\n", "")
			if !strings.Contains(text, tt.shown) {
				t.Errorf("screen does not show %q:\n%s", tt.shown, ansi.Strip(content))
			}
			if twice := sanitize.Escape(tt.shown); strings.Contains(text, twice) {
				t.Errorf("escaped twice: %q", twice)
			}
		})
	}
}

// TestKazakhTypedIIN: on the Kazakh layout the number row types letters
// (900101400003 arrives as ұққ"қ"ңққққі); typed slowly into the manual
// field they are kept, restored at Enter, and admitted, while a letter
// that is no digit on any configured layout spoils the entry.
func TestKazakhTypedIIN(t *testing.T) {
	clock := &stepClock{t: demoNow, step: 150 * time.Millisecond}
	h := newHarness(t, clock.now)
	tm := teatest.NewTestModel(t, h.m, teatest.WithInitialTermSize(80, 24))
	h.start(tm.Send)
	results := h.results
	typeKeys(tm, layout.Kazakh().Type("900101400003"))
	r := <-results
	if r.Verdict.Decision != kiosk.Admit || r.Verdict.StatusName() != "blue" {
		t.Fatalf("Kazakh-typed IIN: %s %s", r.Verdict.Decision, r.Verdict.StatusName())
	}
	typeKeys(tm, "9001ж01400003")
	typeKeys(tm, sentinel())
	if hostile := awaitSentinel(t, results); len(hostile) != 0 {
		t.Fatalf("an entry with a letter was submitted: %+v", hostile[0].Verdict)
	}
	quit(tm)
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// BenchmarkView measures one render of the screen. Bubble Tea renders
// after every message, so a wedge scanner's burst costs this once per key
// on top of the check.
func BenchmarkView(b *testing.B) {
	for _, bb := range []struct {
		name string
		last *kiosk.Result
	}{
		{"idle", nil},
		{"verdict", &kiosk.Result{Verdict: kiosk.Verdict{Decision: kiosk.Deny, HasStatus: true, Status: wire.Red,
			Reasons: []reason.Code{reason.Reentry}, Subject: "d9ffc761", SnapshotVersion: 7}}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			m := New(context.Background(), Options{Lock: enLock(), Title: "cinema · north · entry"})
			m.last = bb.last
			for b.Loop() {
				m.memo.reset() // a changed screen: laid out anew (memo.go)
				m.View()
			}
		})
	}
}
