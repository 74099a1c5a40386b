package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// enrollFake is the provisioning side of a first-start screen: codes
// that start with DCE1: are enrollment codes; Provision notes the code.
type enrollFake struct {
	mu    sync.Mutex
	now   time.Time
	codes []string
	err   error
}

func (f *enrollFake) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *enrollFake) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}
func (f *enrollFake) provisioned() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.codes...)
}

func (f *enrollFake) options() EnrollOptions {
	return EnrollOptions{
		Parse: func(p string) (Enrollment, bool) {
			if !strings.HasPrefix(p, "DCE1:") {
				return Enrollment{}, false
			}
			return Enrollment{HubURL: "https://hub.example:8443", KeyFingerprint: "sha256:0a1b2c"}, true
		},
		Provision: func(ctx context.Context, code string) (EnrollResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.codes = append(f.codes, code)
			if f.err != nil {
				return EnrollResult{}, f.err
			}
			return EnrollResult{Written: true, Venue: "cinema-arman", Door: "north", NoData: true}, nil
		},
	}
}

func enrollHarness(t *testing.T, f *enrollFake) (*harness, *teatest.TestModel) {
	t.Helper()
	h := newHarness(t, f.clock)
	h.m.opt.Demo = true
	h.m.opt.Enroll = f.options()
	tm := teatest.NewTestModel(t, h.m, teatest.WithInitialTermSize(100, 30))
	h.start(tm.Send)
	return h, tm
}

// noVerdict fails when the run loop produced a verdict or was handed a
// scan: an enrollment code is never checked as a pass.
func noVerdict(t *testing.T, h *harness) {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-h.results:
		t.Fatalf("an enrollment code was checked as a pass: %s", r.Verdict.Decision)
	case s := <-h.scans:
		t.Fatalf("an enrollment code went to the checker (%d bytes)", len(s.Payload))
	default:
	}
}

// TestEnrollCodeOpensConfirm: on a first-start (demo) screen the idle
// screen says how to set the kiosk up; an enrollment code scanned there
// opens the confirmation with the hub and key from the code instead of
// a verdict, Esc closes it, an Enter right behind the scan does not
// confirm, a person's Enter does: provisioning runs with the code, the
// screen says it is set up and the program ends. A pass is still
// checked as before.
func TestEnrollCodeOpensConfirm(t *testing.T) {
	f := &enrollFake{now: demoNow}
	h, tm := enrollHarness(t, f)
	waitFor(t, tm, "To set up this kiosk, scan the enrollment code")

	typeBurst(tm, demo.People()[0].IIN)
	if r := <-h.results; r.Verdict.Decision != kiosk.Admit {
		t.Fatalf("a pass on the first-start screen: %s", r.Verdict.Decision)
	}

	code := "DCE1:" + strings.Repeat("Q", 80)
	typeBurst(tm, code)
	waitFor(t, tm, english(catalog.EnrollTitle), "Hub: https://hub.example:8443", "Hub key: sha256:0a1b2c", "Enter set up")
	noVerdict(t, h)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor(t, tm, "To set up this kiosk")

	// The serial path: the caller hands the screen the code.
	tm.Send(EnrollScanMsg(code))
	waitFor(t, tm, english(catalog.EnrollTitle))
	// A second Enter at once (a scanner's CR LF) does not confirm.
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	time.Sleep(100 * time.Millisecond)
	if got := f.provisioned(); len(got) != 0 {
		t.Fatalf("Enter right behind the scan provisioned: %d", len(got))
	}
	f.advance(time.Second)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	// The renderer reuses cells of the previous frame: wait for parts
	// that frame did not have.
	waitFor(t, tm, "cinema-arman · north", "No data yet")
	if got := f.provisioned(); len(got) != 1 || got[0] != code {
		t.Fatalf("provisioned %d codes, want the scanned one", len(got))
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	noVerdict(t, h)
}

// TestEnrollFailureKeepsDemo: a provisioning that fails says why in the
// dialog; Esc goes back to the demo, which goes on checking.
func TestEnrollFailureKeepsDemo(t *testing.T) {
	f := &enrollFake{now: demoNow, err: errors.New("this enrollment code has expired: ask the hub operator for a new one\x1b[2J")}
	h, tm := enrollHarness(t, f)
	typeBurst(tm, "DCE1:expired")
	waitFor(t, tm, english(catalog.EnrollTitle))
	f.advance(time.Second)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "enrollment code has expired", "back to the demo")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	typeBurst(tm, demo.People()[3].IIN)
	if r := <-h.results; r.Verdict.Decision != kiosk.Deny {
		t.Fatalf("after a failed setup: %s", r.Verdict.Decision)
	}
	waitFor(t, tm, "STOP")
	// The failed dialog is gone: a code opens a new confirmation.
	tm.Send(EnrollScanMsg("DCE1:again"))
	waitFor(t, tm, english(catalog.EnrollTitle))
	if got := f.provisioned(); len(got) != 1 {
		t.Fatalf("provisioned %d times, want 1", len(got))
	}
}

// TestEnrollDialogEscapes: the hub URL and the failure text come from
// the scanned code and the hub: the dialog shows them escaped.
func TestEnrollDialogEscapes(t *testing.T) {
	h := newHarness(t, func() time.Time { return demoNow })
	d := &enrollDialog{m: h.m, en: Enrollment{HubURL: "https://h\x1b]0;x\x07", KeyFingerprint: "sha256:00"}}
	d.finished(enrollDoneMsg{err: errors.New("refused\x1b[2J")})
	for _, v := range []string{d.View(100, 30), (&enrollDialog{m: h.m, en: d.en}).View(100, 30)} {
		if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x07") {
			t.Errorf("raw escape in the dialog: %q", v)
		}
	}
	if v := d.View(100, 30); !strings.Contains(v, `refused\x1b[2J`) {
		t.Errorf("failure not shown escaped: %q", v)
	}
}

// TestNoEnrollOfferWhenConfigured: without Enroll options (a configured
// kiosk) the idle screen has no offer and a DCE1: scan is checked like
// any other payload.
func TestNoEnrollOfferWhenConfigured(t *testing.T) {
	h := newHarness(t, func() time.Time { return demoNow })
	if got := h.m.idleView(100, 30); strings.Contains(got, "To set up this kiosk") {
		t.Fatalf("offer on a configured kiosk:\n%s", got)
	}
	tm := teatest.NewTestModel(t, h.m, teatest.WithInitialTermSize(100, 30))
	h.start(tm.Send)
	typeBurst(tm, "DCE1:"+strings.Repeat("Q", 40))
	select {
	case r := <-h.results:
		if r.Verdict.Decision != kiosk.NotVerified {
			t.Errorf("a DCE1: scan on a configured kiosk: %s", r.Verdict.Decision)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a DCE1: scan on a configured kiosk was not checked")
	}
}
