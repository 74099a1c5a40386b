package tui

import (
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// bells counts the terminal bells cmd writes: BEL through tea.Raw. Every
// command runs to its end (the clock tick's timer too, 25 ms; the message
// it sends is dropped: the test moves the clock itself).
func bells(cmd tea.Cmd) int {
	if cmd == nil {
		return 0
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		n := 0
		for _, c := range msg {
			n += bells(c)
		}
		return n
	case tea.RawMsg:
		if msg.Msg == "\a" {
			return 1
		}
	}
	return 0
}

// ringFor shows r on s and counts the bells over the next three seconds
// of clock ticks.
func ringFor(s *screen, r kiosk.Result) int {
	_, cmd := s.m.Update(ResultMsg(r))
	n := bells(cmd)
	for range 15 { // three seconds, a tick every 200 ms
		s.now = s.now.Add(200 * time.Millisecond)
		_, cmd = s.m.Update(tickMsg(s.now))
		n += bells(cmd)
	}
	return n
}

// TestBellPerVerdict: with the default patterns an admit rings once, a
// deny three times, not verified twice, a visit that could not be
// recorded long, an undo once; each bell a gap after the last.
func TestBellPerVerdict(t *testing.T) {
	at := demoNow
	tests := []struct {
		name string
		r    kiosk.Result
		want int
	}{
		{"admit", kiosk.Result{Verdict: kiosk.Verdict{At: at, Decision: kiosk.Admit, HasStatus: true, Status: wire.Green, Recorded: true}}, 1},
		{"deny", kiosk.Result{Verdict: kiosk.Verdict{At: at, Decision: kiosk.Deny, HasStatus: true, Status: wire.Red, Recorded: true}}, 3},
		{"not verified", kiosk.Result{Verdict: kiosk.Verdict{At: at, Decision: kiosk.NotVerified, Recorded: true}}, 2},
		{"cannot record", kiosk.Result{Verdict: kiosk.Verdict{At: at, Decision: kiosk.Admit}, Err: errors.New("disk full")}, longRings},
		{"undo", kiosk.Result{Source: "undo", Verdict: kiosk.Verdict{At: at, Decision: kiosk.Undone, Recorded: true}}, 1},
		{"override", kiosk.Result{Source: "override", Verdict: kiosk.Verdict{At: at, Decision: kiosk.Override, Recorded: true}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScreen(t, false)
			if got := ringFor(s, tt.r); got != tt.want {
				t.Errorf("%d bells, want %d", got, tt.want)
			}
		})
	}
	t.Run("spaced", func(t *testing.T) {
		s := newScreen(t, false)
		_, cmd := s.m.Update(ResultMsg(tests[1].r))
		if bells(cmd) != 1 {
			t.Fatal("the first bell is not at once")
		}
		s.now = s.now.Add(bellGap - time.Millisecond)
		if _, cmd := s.m.Update(tickMsg(s.now)); bells(cmd) != 0 {
			t.Error("the second bell came before the gap")
		}
		s.now = s.now.Add(time.Millisecond)
		if _, cmd := s.m.Update(tickMsg(s.now)); bells(cmd) != 1 {
			t.Error("no second bell after the gap")
		}
	})
}

// TestBellConfigured: ui.bell patterns are what rings; off rings nothing;
// a new verdict's pattern replaces one still ringing.
func TestBellConfigured(t *testing.T) {
	deny := kiosk.Result{Verdict: kiosk.Verdict{At: demoNow, Decision: kiosk.Deny, HasStatus: true, Status: wire.Red, Recorded: true}}
	admit := kiosk.Result{Verdict: kiosk.Verdict{At: demoNow, Decision: kiosk.Admit, HasStatus: true, Status: wire.Green, Recorded: true}}
	parse := func(s string) BellPattern {
		p, err := ParseBell(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := newScreen(t, false)
	s.m.opt.Bell = &Bells{Admit: parse("off"), Deny: parse("5"), NotVerified: parse("off"), CannotRecord: parse("off")}
	if got := ringFor(s, deny); got != 5 {
		t.Errorf("deny: %d bells, want 5", got)
	}
	if got := ringFor(s, admit); got != 0 {
		t.Errorf("admit off: %d bells", got)
	}
	off := &Bells{}
	s.m.opt.Bell = off
	for _, r := range []kiosk.Result{deny, admit, {Verdict: kiosk.Verdict{Decision: kiosk.NotVerified}}, {Verdict: kiosk.Verdict{Decision: kiosk.Admit}, Err: errors.New("disk full")}} {
		if got := ringFor(s, r); got != 0 {
			t.Errorf("all off: %s rang %d", r.Verdict.Decision, got)
		}
	}

	// A deny's three bells cut short by an admit: one of the deny's,
	// then the admit's one.
	s.m.opt.Bell = nil
	_, cmd := s.m.Update(ResultMsg(deny))
	n := bells(cmd)
	n += ringFor(s, admit)
	if n != 2 {
		t.Errorf("deny then admit at once: %d bells, want 2", n)
	}

	// Through the screen as the kiosk runs it: a real deny rings three.
	s = newScreen(t, false)
	v, err := s.c.Check(s.m.ctx, demo.People()[3].IIN, "wedge")
	if got := ringFor(s, kiosk.Result{Source: "wedge", Verdict: v, Err: err}); got != 3 {
		t.Errorf("a checked deny: %d bells", got)
	}
}

func TestParseBell(t *testing.T) {
	for s, want := range map[string]BellPattern{
		"off": {}, "1": {Rings: 1, Gap: bellGap}, "9": {Rings: 9, Gap: bellGap}, "long": {Rings: longRings, Gap: longGap},
	} {
		if got, err := ParseBell(s); err != nil || got != want {
			t.Errorf("ParseBell(%q) = %+v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "0", "10", "loud", "-1"} {
		if _, err := ParseBell(s); err == nil {
			t.Errorf("ParseBell(%q) accepted", s)
		}
	}
}
