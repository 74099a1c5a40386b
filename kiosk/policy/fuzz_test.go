package policy

import (
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func FuzzParseStatusSet(f *testing.F) {
	for _, s := range []string{"standard", "test-required", "none", "green,blue", " red , yellow ", "", "green,,", "purple"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseStatusSet(s)
		if err != nil {
			return
		}
		if set&^SetOf(allStatusList...) != 0 {
			t.Fatalf("%q: bits outside the four statuses: %08b", s, set)
		}
		back, err := ParseStatusSet(set.String())
		if err != nil || back != set {
			t.Fatalf("%q = %v reads back as %v, %v", s, set, back, err)
		}
	})
}

func FuzzParseClockTime(f *testing.F) {
	for _, s := range []string{"00:00", "23:59", "7:30", "24:00", "12:60", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClockTime(s)
		if err != nil {
			return
		}
		if c < 0 || c >= 24*60 {
			t.Fatalf("%q parsed out of range: %d", s, c)
		}
		if back, err := ParseClockTime(c.String()); err != nil || back != c {
			t.Fatalf("%q = %v reads back as %v, %v", s, c, back, err)
		}
	})
}

// FuzzDecide checks the invariants of any decision: exits are admitted
// without reasons, Admit means no denial, no reason repeats, and reasons
// keep their documented order.
func FuzzDecide(f *testing.F) {
	f.Add(uint8(Standard), uint8(wire.Blue), false, uint8(0), int64(0), 0, 0, false, false, false, int64(0), int64(0), uint16(0), uint16(0), uint8(0))
	f.Add(uint8(TestRequired), uint8(wire.Red), false, uint8(3), int64(1e6), 5, 5, true, true, true, int64(1e12), int64(1e9), uint16(1320), uint16(120), uint8(0x41))
	order := []reason.Code{reason.Isolation, reason.Contact, reason.TestRequired, reason.Schedule, reason.StatusNotAdmitted,
		reason.Full, reason.Reentry, reason.StaleSnapshot}
	f.Fuzz(func(t *testing.T, admitted, status uint8, exit bool, ruleSet uint8, nowUnix int64, capacity, inside int,
		already, reentryDeny, staleDeny bool, age, maxAge int64, from, to uint16, days uint8) {
		var weekdays []time.Weekday
		for d := time.Sunday; d <= time.Saturday; d++ {
			if days&(1<<d) != 0 {
				weekdays = append(weekdays, d)
			}
		}
		r := Rules{
			Admitted: StatusSet(admitted) & SetOf(allStatusList...),
			Schedule: []ScheduleRule{{Days: weekdays, From: ClockTime(from % 1440), To: ClockTime(to % 1440), Admitted: StatusSet(ruleSet) & SetOf(allStatusList...)}},
			Capacity: capacity,
			MaxAge:   time.Duration(maxAge),
		}
		if reentryDeny {
			r.Reentry = Deny
		}
		if staleDeny {
			r.Stale = Deny
		}
		in := Input{Now: time.Unix(nowUnix%(1<<40), 0).UTC(), Status: wire.Status(status), SnapshotAge: time.Duration(age), Inside: inside}
		if exit {
			in.Direction = Exit
		}
		if already {
			in.FirstEntryAt = in.Now.Add(-time.Minute)
		}
		d := Decide(r, in)
		if exit && (!d.Admit || len(d.Reasons()) != 0) {
			t.Fatalf("exit: %+v", d)
		}
		if d.Admit != (len(d.Deny) == 0) {
			t.Fatalf("admit %v with deny %v", d.Admit, d.Deny)
		}
		all := d.Reasons()
		seen := map[reason.Code]bool{}
		for _, c := range all {
			if seen[c] {
				t.Fatalf("%v repeats %s", all, c)
			}
			seen[c] = true
		}
		for _, list := range [][]reason.Code{d.Deny, d.Warn} {
			if !slices.IsSortedFunc(list, func(a, b reason.Code) int { return slices.Index(order, a) - slices.Index(order, b) }) {
				t.Fatalf("out of order: %v", list)
			}
			for _, c := range list {
				if !slices.Contains(order, c) {
					t.Fatalf("unknown reason %s", c)
				}
			}
		}
	})
}
