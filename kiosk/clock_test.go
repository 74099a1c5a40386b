package kiosk

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/reason"
)

const week = 7 * 24 * time.Hour

var demoCreated = demo.CreatedAt(demoDay) // the demo snapshot's creation

// monoClock is a settable monotonic clock for WithMonotonic: tests move
// the wall clock (clock) and the monotonic clock separately.
type monoClock struct{ d time.Duration }

func (m *monoClock) now() time.Duration  { return m.d }
func (m *monoClock) add(d time.Duration) { m.d += d }

// reopen builds a second checker over the fixture's store, as a restarted
// kiosk would, with its own clock at t.
func (f *fixture) reopen(t time.Time, opts ...Option) *clock {
	clk := newClock(t)
	f.clock = clk
	f.c = New(f.st, f.c.Settings(), append([]Option{WithClock(clk.now)}, opts...)...)
	return clk
}

func (f *fixture) checkAt(t time.Time, payload string) Verdict {
	f.t.Helper()
	f.clock.set(t)
	return f.check(payload)
}

// wantVerdict fails unless v has the decision, status and reasons given,
// and (for NOT VERIFIED) shows neither a status nor a subject.
func wantVerdict(t *testing.T, v Verdict, decision Decision, status string, reasons ...reason.Code) {
	t.Helper()
	if v.Decision != decision || v.StatusName() != status || !slices.Equal(v.Reasons, reasons) {
		t.Fatalf("got %s %q %v (detail %q), want %s %q %v", v.Decision, v.StatusName(), v.Reasons, v.Detail, decision, status, reasons)
	}
	if v.Decision == NotVerified && (v.HasStatus || v.Subject != "") {
		t.Fatalf("not verified but shows status %q / subject %q", v.StatusName(), v.Subject)
	}
}

// TestDataAgeLimit is defect 3: a clock far in the future found every
// listed status ended and admitted red and yellow visitors as blue, with
// only a stale warning under the default stale: warn.
func TestDataAgeLimit(t *testing.T) {
	in2030 := at("2030-06-01T12:00:00Z")
	tests := []struct {
		name     string
		label    string
		now      time.Time
		limit    time.Duration // Rules.MaxDataAge; 0 = the default week
		exit     bool
		decision Decision
		status   string
		reasons  []reason.Code
	}{
		{name: "2030: red IIN", label: "IIN, red, in isolation", now: in2030, decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "2030: red pass", label: "pass, red", now: in2030, decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "2030: yellow IIN", label: "IIN, yellow, contact of a case", now: in2030, decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "2030: yellow pass", label: "pass, yellow", now: in2030, decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "2030: a payload that fails says why", label: "pass with a forged signature", now: in2030, decision: NotVerified, reasons: []reason.Code{reason.BadSignature}},
		{name: "2030: green IIN", label: "IIN, green, vaccinated", now: in2030, decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "exactly at the limit: red still decides", label: "IIN, red, in isolation", now: demoCreated.Add(week),
			decision: Deny, status: "red", reasons: []reason.Code{reason.Isolation, reason.StaleSnapshot}},
		{name: "just past the limit", label: "IIN, red, in isolation", now: demoCreated.Add(week + time.Second),
			decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "own limit: at it", label: "IIN, yellow, contact of a case", limit: 48 * time.Hour, now: demoCreated.Add(48 * time.Hour),
			decision: Deny, status: "yellow", reasons: []reason.Code{reason.Contact, reason.StaleSnapshot}},
		{name: "own limit: just past it", label: "IIN, yellow, contact of a case", limit: 48 * time.Hour, now: demoCreated.Add(48*time.Hour + time.Millisecond),
			decision: NotVerified, reasons: []reason.Code{reason.DataTooOld}},
		{name: "2030 exit is recorded without a status", label: "IIN, red, in isolation", now: in2030, exit: true,
			decision: Admit, reasons: []reason.Code{reason.DataTooOld}},
		{name: "2030 exit of a bad IIN is not verified", label: "IIN with a wrong check digit", now: in2030, exit: true,
			decision: NotVerified, reasons: []reason.Code{reason.BadChecksum}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Settings{Rules: policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour, Stale: policy.Warn, MaxDataAge: tt.limit}}
			if tt.exit {
				s.Direction = policy.Exit
			}
			f := newFixture(t, s)
			v := f.checkAt(tt.now, sample(t, tt.label))
			wantVerdict(t, v, tt.decision, tt.status, tt.reasons...)
			if !v.Recorded {
				t.Fatalf("not recorded: %+v", v)
			}
			if v.HasReason(reason.DataTooOld) {
				if !strings.Contains(v.Detail, "beyond the limit") {
					t.Errorf("detail %q does not say why", v.Detail)
				}
				if !f.c.Snapshot().TooOld {
					t.Errorf("Snapshot().TooOld is false")
				}
			}
			if tt.exit && tt.decision == Admit {
				if v.HasStatus || v.Subject == "" || !slices.Equal(v.Warnings, []reason.Code{reason.DataTooOld}) {
					t.Fatalf("exit with data too old: want a verified subject, no status, a data_too_old warning: %+v", v)
				}
				if stats, _ := f.c.Stats(context.Background()); stats.Counters.Exits != 1 {
					t.Fatalf("exit not counted: %+v", stats.Counters)
				}
			}
		})
	}
}

// TestClockBehindTrustedTime: a clock earlier than the latest time the
// kiosk trusts (beyond the skew) is NOT VERIFIED untrustworthy_clock, and
// the detail says which trusted time it is behind.
func TestClockBehindTrustedTime(t *testing.T) {
	green := demo.People()[0].IIN
	blue := demo.People()[2].IIN
	t.Run("behind the snapshot", func(t *testing.T) {
		f := newFixture(t, Settings{})
		v := f.checkAt(demoCreated.Add(-2*time.Minute), green)
		wantVerdict(t, v, NotVerified, "", reason.UntrustworthyClock)
		if !strings.Contains(v.Detail, "behind the status data's creation at 2026-11-24T00:00:00Z") {
			t.Fatalf("detail %q", v.Detail)
		}
		if v := f.checkAt(demoCreated.Add(-30*time.Second), blue); v.Decision != Admit {
			t.Fatalf("within the skew: %+v", v)
		}
	})
	t.Run("behind the last visit", func(t *testing.T) {
		f := newFixture(t, Settings{})
		first := f.checkAt(demoDay, green)
		wantVerdict(t, first, Admit, "green")
		v := f.checkAt(demoDay.Add(-2*time.Minute), blue)
		wantVerdict(t, v, NotVerified, "", reason.UntrustworthyClock)
		if !strings.Contains(v.Detail, "behind the last recorded visit at 2026-11-24T10:00:00Z") {
			t.Fatalf("detail %q", v.Detail)
		}
		if cs := f.c.ClockState(); !cs.Behind || cs.TrustedFrom != TimeFromVisit || !cs.Trusted.Equal(demoDay) {
			t.Fatalf("clock state %+v", cs)
		}
		// Within the skew of the last visit is fine (an NTP step back).
		if v := f.checkAt(demoDay.Add(-30*time.Second), blue); v.Decision != Admit {
			t.Fatalf("within the skew: %+v", v)
		}
		// The floor is on disk: a restarted kiosk still refuses.
		f.reopen(demoDay.Add(-2 * time.Minute))
		v = f.check(demo.People()[1].IIN)
		wantVerdict(t, v, NotVerified, "", reason.UntrustworthyClock)
	})
	t.Run("behind the hub's time", func(t *testing.T) {
		f := newFixture(t, Settings{})
		f.c.NoteTrustedTime(demoDay.Add(time.Hour))
		v := f.checkAt(demoDay, green)
		wantVerdict(t, v, NotVerified, "", reason.UntrustworthyClock)
		if !strings.Contains(v.Detail, "behind the hub's time") {
			t.Fatalf("detail %q", v.Detail)
		}
	})
}

// TestClockJump: the wall clock moving against the monotonic clock by more
// than the threshold flags every verdict with clock_jumped, until a
// trusted time agrees with the clock again.
func TestClockJump(t *testing.T) {
	green := demo.People()[0].IIN
	newJumpFixture := func(t *testing.T) (*fixture, *monoClock) {
		f := newFixture(t, Settings{})
		mono := &monoClock{}
		f.reopen(demoDay, WithMonotonic(mono.now))
		return f, mono
	}
	tests := []struct {
		name   string
		wall   time.Duration // how far the wall clock moves
		mono   time.Duration // … while the monotonic clock moves this far
		jumped bool
	}{
		{"both advance an hour", time.Hour, time.Hour, false},
		{"NTP step of ten minutes", 10*time.Minute + time.Second, time.Second, false},
		{"step of exactly the threshold", DefaultClockJump, 0, false},
		{"two days forward", 48 * time.Hour, time.Second, true},
		{"two days back", -48 * time.Hour, time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, mono := newJumpFixture(t)
			f.clock.add(tt.wall)
			mono.add(tt.mono)
			v := f.check(green)
			if v.HasReason(reason.ClockJumped) != tt.jumped || slices.Contains(v.Warnings, reason.ClockJumped) != tt.jumped {
				t.Fatalf("jumped %v: %+v", tt.jumped, v)
			}
			if cs := f.c.ClockState(); cs.Jumped != tt.jumped || (tt.jumped && cs.JumpedBy != tt.wall-tt.mono) {
				t.Fatalf("clock state %+v", cs)
			}
		})
	}
	t.Run("a jump within the data age warns and still decides", func(t *testing.T) {
		f, mono := newJumpFixture(t)
		f.clock.add(48 * time.Hour)
		mono.add(time.Second)
		v := f.check(sample(t, "IIN, red, in isolation"))
		wantVerdict(t, v, Deny, "red", reason.Isolation, reason.StaleSnapshot, reason.ClockJumped)
		line, _ := json.Marshal(v)
		if !strings.Contains(string(line), `"clock_jumped"`) {
			t.Fatalf("JSON line does not carry the warning: %s", line)
		}
	})
	t.Run("a jump of years is data too old", func(t *testing.T) {
		f, mono := newJumpFixture(t)
		f.clock.set(at("2030-06-01T12:00:00Z"))
		mono.add(time.Second)
		v := f.check(sample(t, "IIN, red, in isolation"))
		wantVerdict(t, v, NotVerified, "", reason.DataTooOld, reason.ClockJumped)
	})
	t.Run("the flag stays until the hub's time agrees", func(t *testing.T) {
		f, mono := newJumpFixture(t)
		f.clock.add(48 * time.Hour)
		mono.add(time.Second)
		f.check(green)
		f.clock.add(time.Hour)
		mono.add(time.Hour)
		if v := f.check(demo.People()[2].IIN); !v.HasReason(reason.ClockJumped) {
			t.Fatalf("flag cleared by itself: %+v", v)
		}
		f.c.NoteTrustedTime(f.clock.now().Add(10 * time.Minute)) // the hub disagrees
		if !f.c.ClockState().Jumped {
			t.Fatal("cleared by a hub time that disagrees with the clock")
		}
		f.c.NoteTrustedTime(f.clock.now().Add(-2 * time.Second))
		if cs := f.c.ClockState(); cs.Jumped {
			t.Fatalf("not cleared by an agreeing hub time: %+v", cs)
		}
		f.clock.add(2 * time.Second)
		mono.add(2 * time.Second)
		if v := f.check(demo.People()[1].IIN); v.HasReason(reason.ClockJumped) {
			t.Fatalf("still flagged: %+v", v)
		}
	})
}

// TestCorrectedFastClock: a clock that ran ahead and was then corrected.
// Visits decided on a clock the kiosk did not trust never raise the floor,
// so they cannot lock the kiosk out; a clock ahead by less than the data
// age limit and never seen jumping is indistinguishable from a right one,
// and locks the kiosk out until real time passes its last visit or the
// hub's time re-anchors it.
func TestCorrectedFastClock(t *testing.T) {
	green, blue := demo.People()[0].IIN, demo.People()[2].IIN
	real := demoDay.Add(time.Hour)

	t.Run("years ahead: no lockout, not even after a restart", func(t *testing.T) {
		f := newFixture(t, Settings{})
		for i, p := range demo.People()[:4] {
			v := f.checkAt(at("2030-06-01T12:00:00Z").Add(time.Duration(i)*time.Minute), p.IIN)
			wantVerdict(t, v, NotVerified, "", reason.DataTooOld)
		}
		wantVerdict(t, f.checkAt(real, green), Admit, "green")
		f.reopen(real.Add(time.Minute))
		wantVerdict(t, f.check(blue), Admit, "blue")
	})
	t.Run("jumped ahead: no lockout", func(t *testing.T) {
		f := newFixture(t, Settings{})
		mono := &monoClock{}
		f.reopen(demoDay, WithMonotonic(mono.now))
		f.clock.add(3 * 24 * time.Hour)
		mono.add(time.Second)
		v := f.check(green)
		wantVerdict(t, v, Admit, "green", reason.StaleSnapshot, reason.ClockJumped)
		f.clock.set(real) // corrected: a jump back, flagged too
		mono.add(time.Second)
		wantVerdict(t, f.check(blue), Admit, "blue", reason.ClockJumped)
		f.reopen(real.Add(time.Minute))
		wantVerdict(t, f.check(demo.People()[1].IIN), Admit, "green")
	})
	t.Run("ahead by days, never seen jumping: locked out until real time catches up", func(t *testing.T) {
		f := newFixture(t, Settings{})
		ahead := real.Add(3 * 24 * time.Hour)
		wantVerdict(t, f.checkAt(ahead, green), Admit, "green", reason.StaleSnapshot)
		v := f.checkAt(real, blue)
		wantVerdict(t, v, NotVerified, "", reason.UntrustworthyClock)
		if !strings.Contains(v.Detail, "last recorded visit") {
			t.Fatalf("detail %q", v.Detail)
		}
		f.reopen(real.Add(time.Hour))
		wantVerdict(t, f.check(blue), NotVerified, "", reason.UntrustworthyClock)
		// Real time reaches the last visit, less the skew: decisions resume.
		wantVerdict(t, f.checkAt(ahead.Add(-30*time.Second), blue), Admit, "blue", reason.StaleSnapshot)
	})
	t.Run("ahead by days, then the hub's time re-anchors", func(t *testing.T) {
		f := newFixture(t, Settings{})
		wantVerdict(t, f.checkAt(real.Add(3*24*time.Hour), green), Admit, "green", reason.StaleSnapshot)
		f.clock.set(real)
		f.c.NoteTrustedTime(real)
		wantVerdict(t, f.check(blue), Admit, "blue")
		if cs := f.c.ClockState(); cs.Behind || cs.TrustedFrom != TimeFromVisit || !cs.Trusted.Equal(real) {
			t.Fatalf("clock state %+v", cs)
		}
	})
}

// TestTrustedFloorAtStart: New reads the floor from the newest visit
// decided on a trusted clock, skipping unverified scans, undos and visits
// refused for the clock or the data age.
func TestTrustedFloorAtStart(t *testing.T) {
	f := newFixture(t, Settings{})
	if cs := f.c.ClockState(); cs.TrustedFrom != TimeFromSnapshot || !cs.Trusted.Equal(demoCreated) || cs.Behind || cs.Jumped {
		t.Fatalf("fresh kiosk: %+v", cs)
	}
	f.checkAt(demoDay, demo.People()[0].IIN)
	f.checkAt(demoDay.Add(time.Minute), "not a pass") // not verified: skipped
	f.checkAt(at("2031-01-01T00:00:00Z"), demo.People()[2].IIN)
	f.reopen(demoDay.Add(2 * time.Minute))
	if cs := f.c.ClockState(); cs.TrustedFrom != TimeFromVisit || !cs.Trusted.Equal(demoDay) {
		t.Fatalf("restarted kiosk: %+v", cs)
	}
}

// TestRealClocksAgree: with the default clock (time.Now, whose readings
// carry the monotonic clock) nothing is flagged on a clock that does not
// move.
func TestRealClocksAgree(t *testing.T) {
	f := newFixture(t, Settings{})
	c := New(f.st, f.c.Settings())
	for range 3 {
		if cs := c.ClockState(); cs.Jumped || cs.JumpedBy != 0 {
			t.Fatalf("real clocks disagree: %+v", cs)
		}
	}
}
