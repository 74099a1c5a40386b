package policy

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// 23 November 2026 is a Monday.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, time.UTC)
}

var (
	wednesdayNoon = at(25, 12, 0)
	saturdayNoon  = at(28, 12, 0)
	weekendsGreen = ScheduleRule{Name: "weekends green only", Days: []time.Weekday{time.Saturday, time.Sunday}, Admitted: TestRequired}
	allStatusList = []wire.Status{wire.Green, wire.Blue, wire.Yellow, wire.Red}
)

// codes is shorthand for a reason list in tables.
func codes(c ...reason.Code) []reason.Code { return c }

func TestDecideStatusTable(t *testing.T) {
	tests := []struct {
		set    StatusSet
		status wire.Status
		deny   reason.Code // "" = admitted
	}{
		{Standard, wire.Green, ""},
		{Standard, wire.Blue, ""},
		{Standard, wire.Yellow, reason.Contact},
		{Standard, wire.Red, reason.Isolation},
		{TestRequired, wire.Green, ""},
		{TestRequired, wire.Blue, reason.TestRequired},
		{TestRequired, wire.Yellow, reason.Contact},
		{TestRequired, wire.Red, reason.Isolation},
		{SetOf(wire.Blue), wire.Green, reason.StatusNotAdmitted},
		{SetOf(wire.Blue), wire.Blue, ""},
		{SetOf(wire.Green, wire.Yellow), wire.Blue, reason.StatusNotAdmitted}, // not exactly green-only: no test would help
		{SetOf(wire.Green, wire.Blue, wire.Yellow), wire.Yellow, ""},
		{SetOf(wire.Green, wire.Blue, wire.Yellow, wire.Red), wire.Red, ""},
		{SetOf(), wire.Green, reason.StatusNotAdmitted},
		{SetOf(), wire.Red, reason.Isolation},
		{Standard, wire.Status(9), reason.StatusNotAdmitted}, // a status no rule knows is never admitted
	}
	for _, tt := range tests {
		for _, dir := range []Direction{Entry, Exit} {
			name := fmt.Sprintf("%v/%v/%v", tt.set, tt.status, dir)
			d := Decide(Rules{Admitted: tt.set}, Input{Now: wednesdayNoon, Direction: dir, Status: tt.status})
			if dir == Exit {
				if !d.Admit || len(d.Reasons()) != 0 {
					t.Errorf("%s: %+v, want admitted with no reasons", name, d)
				}
				continue
			}
			wantDeny := codes()
			if tt.deny != "" {
				wantDeny = codes(tt.deny)
			}
			if d.Admit != (tt.deny == "") || !slices.Equal(d.Deny, wantDeny) || len(d.Warn) != 0 {
				t.Errorf("%s: %+v, want deny %v", name, d, wantDeny)
			}
		}
	}
}

// TestDecideEveryCombination walks every admitted set, status, direction
// and schedule state, and checks the rules of the status reason.
func TestDecideEveryCombination(t *testing.T) {
	statuses := append(slices.Clone(allStatusList), wire.Status(4), wire.Status(255))
	for bits := range 16 {
		var set StatusSet
		for i, st := range allStatusList {
			if bits&(1<<i) != 0 {
				set |= SetOf(st)
			}
		}
		for _, scheduled := range []bool{false, true} {
			r := Rules{Admitted: set}
			if scheduled {
				r = Rules{Admitted: Standard, Schedule: []ScheduleRule{{Name: "always", Admitted: set}}}
			}
			for _, st := range statuses {
				for _, dir := range []Direction{Entry, Exit} {
					name := fmt.Sprintf("set %v scheduled %v status %v %v", set, scheduled, st, dir)
					d := Decide(r, Input{Now: wednesdayNoon, Direction: dir, Status: st})
					if dir == Exit {
						if !d.Admit || len(d.Deny)+len(d.Warn) != 0 || d.Rule != "" {
							t.Errorf("%s: %+v", name, d)
						}
						continue
					}
					if wantRule := map[bool]string{true: "always"}[scheduled]; d.Rule != wantRule {
						t.Errorf("%s: rule %q, want %q", name, d.Rule, wantRule)
					}
					var want reason.Code
					switch {
					case set.Has(st):
					case st == wire.Red:
						want = reason.Isolation
					case st == wire.Yellow:
						want = reason.Contact
					case scheduled:
						want = reason.Schedule
					case st == wire.Blue && set == TestRequired:
						want = reason.TestRequired
					default:
						want = reason.StatusNotAdmitted
					}
					if want == "" {
						if !d.Admit || len(d.Deny) != 0 {
							t.Errorf("%s: %+v, want admitted", name, d)
						}
					} else if d.Admit || !slices.Equal(d.Deny, codes(want)) {
						t.Errorf("%s: %+v, want deny [%s]", name, d, want)
					}
				}
			}
		}
	}
}

func TestDecideSchedule(t *testing.T) {
	mornings := ScheduleRule{Name: "weekday mornings open to all", Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		From: Clock(8, 0), To: Clock(12, 0), Admitted: Standard}
	closed := ScheduleRule{Name: "closed on Mondays", Days: []time.Weekday{time.Monday}, Admitted: SetOf()}
	tests := []struct {
		name   string
		rules  Rules
		now    time.Time
		status wire.Status
		deny   []reason.Code
		rule   string
	}{
		{"weekday blue", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, wednesdayNoon, wire.Blue, nil, ""},
		{"saturday blue", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, saturdayNoon, wire.Blue, codes(reason.Schedule), "weekends green only"},
		{"sunday late blue", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, at(29, 23, 59), wire.Blue, codes(reason.Schedule), "weekends green only"},
		{"monday midnight blue", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, at(30, 0, 0), wire.Blue, nil, ""},
		{"saturday green", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, saturdayNoon, wire.Green, nil, "weekends green only"},
		{"saturday red names isolation", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, saturdayNoon, wire.Red, codes(reason.Isolation), "weekends green only"},
		{"saturday yellow names contact", Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}, saturdayNoon, wire.Yellow, codes(reason.Contact), "weekends green only"},
		{"schedule widens: morning blue", Rules{Admitted: TestRequired, Schedule: []ScheduleRule{mornings}}, at(25, 9, 0), wire.Blue, nil, "weekday mornings open to all"},
		{"schedule widens: afternoon blue", Rules{Admitted: TestRequired, Schedule: []ScheduleRule{mornings}}, at(25, 12, 0), wire.Blue, codes(reason.TestRequired), ""},
		{"first match wins", Rules{Admitted: Standard, Schedule: []ScheduleRule{closed, mornings}}, at(23, 9, 0), wire.Green, codes(reason.Schedule), "closed on Mondays"},
		{"second rule when first misses", Rules{Admitted: Standard, Schedule: []ScheduleRule{closed, weekendsGreen}}, saturdayNoon, wire.Blue, codes(reason.Schedule), "weekends green only"},
		{"closed still names red", Rules{Admitted: Standard, Schedule: []ScheduleRule{closed}}, at(23, 9, 0), wire.Red, codes(reason.Isolation), "closed on Mondays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.rules, Input{Now: tt.now, Status: tt.status})
			if d.Admit != (len(tt.deny) == 0) || !slices.Equal(d.Deny, tt.deny) || d.Rule != tt.rule {
				t.Errorf("%+v, want deny %v under rule %q", d, tt.deny, tt.rule)
			}
		})
	}
}

func TestScheduleMatches(t *testing.T) {
	evening := ScheduleRule{From: Clock(18, 0), To: Clock(23, 0)}
	night := ScheduleRule{Days: []time.Weekday{time.Friday}, From: Clock(22, 0), To: Clock(2, 0)}
	untilMidnight := ScheduleRule{Days: []time.Weekday{time.Friday}, From: Clock(18, 0), To: Clock(0, 0)}
	fromMidnight := ScheduleRule{Days: []time.Weekday{time.Saturday}, From: Clock(0, 0), To: Clock(6, 0)}
	dayFromEight := ScheduleRule{Days: []time.Weekday{time.Monday}, From: Clock(8, 0), To: Clock(8, 0)}
	tests := []struct {
		name string
		rule ScheduleRule
		at   time.Time
		want bool
	}{
		{"weekend Saturday start", weekendsGreen, at(28, 0, 0), true},
		{"weekend Sunday end", weekendsGreen, at(29, 23, 59), true},
		{"weekend Monday", weekendsGreen, at(30, 0, 0), false},
		{"weekend Friday late", weekendsGreen, at(27, 23, 59), false},
		{"evening before", evening, at(24, 17, 59), false},
		{"evening From inclusive", evening, at(24, 18, 0), true},
		{"evening inside", evening, at(24, 22, 59), true},
		{"evening To exclusive", evening, at(24, 23, 0), false},
		{"evening seconds ignored", evening, at(24, 22, 59).Add(59 * time.Second), true},
		{"night Friday before", night, at(27, 21, 59), false},
		{"night Friday start", night, at(27, 22, 0), true},
		{"night Friday midnight minus", night, at(27, 23, 59), true},
		{"night Saturday midnight", night, at(28, 0, 0), true},
		{"night small hours belong to Friday", night, at(28, 1, 59), true},
		{"night over", night, at(28, 2, 0), false},
		{"night Saturday night is not Friday", night, at(28, 22, 30), false},
		{"night small hours of Friday belong to Thursday", night, at(27, 1, 0), false},
		{"until midnight last minute", untilMidnight, at(27, 23, 59), true},
		{"until midnight ends at midnight", untilMidnight, at(28, 0, 0), false},
		{"until midnight before", untilMidnight, at(27, 17, 59), false},
		{"from midnight start", fromMidnight, at(28, 0, 0), true},
		{"from midnight end", fromMidnight, at(28, 6, 0), false},
		{"from midnight not Friday", fromMidnight, at(27, 23, 59), false},
		{"equal bounds: a day from 08:00", dayFromEight, at(23, 8, 0), true},
		{"equal bounds: next morning", dayFromEight, at(24, 7, 59), true},
		{"equal bounds: over", dayFromEight, at(24, 8, 0), false},
		{"equal bounds: Monday small hours", dayFromEight, at(23, 7, 59), false},
		{"no days, no hours: always", ScheduleRule{}, at(25, 3, 0), true},
		{"no days, hours: every day", evening, at(29, 19, 0), true},
	}
	for _, tt := range tests {
		if got := tt.rule.Matches(tt.at); got != tt.want {
			t.Errorf("%s: %s: %v, want %v", tt.name, tt.at.Format("Mon 15:04"), got, tt.want)
		}
	}
}

// TestScheduleWallClock shows that a rule reads the wall clock of the time
// it is given: the caller's job is to pass venue-local time.
func TestScheduleWallClock(t *testing.T) {
	almaty := time.FixedZone("UTC+5", 5*3600)
	friday2130UTC := at(27, 21, 30) // Saturday 02:30 in Almaty
	if weekendsGreen.Matches(friday2130UTC) {
		t.Error("Friday 21:30 UTC matched a weekend rule")
	}
	if !weekendsGreen.Matches(friday2130UTC.In(almaty)) {
		t.Error("Saturday 02:30 local did not match a weekend rule")
	}
	// Across a daylight-saving change the window follows the wall clock:
	// 29 March 2026 02:00 CET jumps to 03:00 CEST.
	berlin := time.FixedZone("CET", 3600)
	cest := time.FixedZone("CEST", 7200)
	early := ScheduleRule{From: Clock(1, 0), To: Clock(4, 0)}
	for _, tm := range []time.Time{time.Date(2026, 3, 29, 1, 30, 0, 0, berlin), time.Date(2026, 3, 29, 3, 30, 0, 0, cest)} {
		if !early.Matches(tm) {
			t.Errorf("%v: not in 01:00–04:00", tm)
		}
	}
}

func TestDecideCapacityReentryStale(t *testing.T) {
	entered := wednesdayNoon.Add(-time.Hour)
	std := func(f func(*Rules)) Rules {
		r := Rules{Admitted: Standard}
		f(&r)
		return r
	}
	tests := []struct {
		name  string
		rules Rules
		in    Input
		admit bool
		deny  []reason.Code
		warn  []reason.Code
	}{
		{"one place left", std(func(r *Rules) { r.Capacity = 10 }), Input{Inside: 9}, true, nil, nil},
		{"at capacity", std(func(r *Rules) { r.Capacity = 10 }), Input{Inside: 10}, false, codes(reason.Full), nil},
		{"over capacity", std(func(r *Rules) { r.Capacity = 10 }), Input{Inside: 11}, false, codes(reason.Full), nil},
		{"capacity one, empty", std(func(r *Rules) { r.Capacity = 1 }), Input{Inside: 0}, true, nil, nil},
		{"negative occupancy", std(func(r *Rules) { r.Capacity = 1 }), Input{Inside: -3}, true, nil, nil},
		{"no capacity limit", std(func(r *Rules) {}), Input{Inside: 1e6}, true, nil, nil},
		{"full exit still recorded", std(func(r *Rules) { r.Capacity = 1 }), Input{Inside: 5, Direction: Exit}, true, nil, nil},
		{"full and red: both", std(func(r *Rules) { r.Capacity = 1 }), Input{Inside: 1, Status: wire.Red}, false, codes(reason.Isolation, reason.Full), nil},
		{"reentry warns by default", std(func(r *Rules) {}), Input{FirstEntryAt: entered}, true, nil, codes(reason.Reentry)},
		{"reentry denies", std(func(r *Rules) { r.Reentry = Deny }), Input{FirstEntryAt: entered}, false, codes(reason.Reentry), nil},
		{"reentry exit", std(func(r *Rules) { r.Reentry = Deny }), Input{FirstEntryAt: entered, Direction: Exit}, true, nil, nil},
		{"reentry warning on a denial", std(func(r *Rules) { r.Capacity = 1 }), Input{Inside: 1, FirstEntryAt: entered}, false, codes(reason.Full), codes(reason.Reentry)},
		{"fresh at exactly max age", std(func(r *Rules) { r.MaxAge = 24 * time.Hour }), Input{SnapshotAge: 24 * time.Hour}, true, nil, nil},
		{"stale warns", std(func(r *Rules) { r.MaxAge = 24 * time.Hour }), Input{SnapshotAge: 24*time.Hour + time.Second}, true, nil, codes(reason.StaleSnapshot)},
		{"stale denies", std(func(r *Rules) { r.MaxAge = 24 * time.Hour; r.Stale = Deny }), Input{SnapshotAge: 25 * time.Hour}, false, codes(reason.StaleSnapshot), nil},
		{"max age 0 never stale", std(func(r *Rules) { r.Stale = Deny }), Input{SnapshotAge: 1e6 * time.Hour}, true, nil, nil},
		{"stale exit has no reasons", std(func(r *Rules) { r.MaxAge = time.Hour; r.Stale = Deny }), Input{SnapshotAge: 2 * time.Hour, Direction: Exit}, true, nil, nil},
		{"all deny, in order", std(func(r *Rules) { r.Capacity = 1; r.Reentry = Deny; r.Stale = Deny; r.MaxAge = time.Hour }),
			Input{Status: wire.Yellow, Inside: 1, FirstEntryAt: entered, SnapshotAge: 2 * time.Hour}, false,
			codes(reason.Contact, reason.Full, reason.Reentry, reason.StaleSnapshot), nil},
		{"all warn, in order", std(func(r *Rules) { r.MaxAge = time.Hour }),
			Input{FirstEntryAt: entered, SnapshotAge: 2 * time.Hour}, true, nil, codes(reason.Reentry, reason.StaleSnapshot)},
		{"mixed", std(func(r *Rules) { r.Capacity = 1; r.Reentry = Deny; r.MaxAge = time.Hour }),
			Input{Status: wire.Red, Inside: 1, FirstEntryAt: entered, SnapshotAge: 2 * time.Hour}, false,
			codes(reason.Isolation, reason.Full, reason.Reentry), codes(reason.StaleSnapshot)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.Now.IsZero() {
				tt.in.Now = wednesdayNoon
			}
			d := Decide(tt.rules, tt.in)
			if d.Admit != tt.admit || !slices.Equal(d.Deny, tt.deny) || !slices.Equal(d.Warn, tt.warn) {
				t.Errorf("got %+v, want admit %v deny %v warn %v", d, tt.admit, tt.deny, tt.warn)
			}
			if want := append(slices.Clone(tt.deny), tt.warn...); !slices.Equal(d.Reasons(), want) {
				t.Errorf("Reasons() = %v, want %v", d.Reasons(), want)
			}
		})
	}
}

func TestReasonsNeverNil(t *testing.T) {
	if r := (Decision{Admit: true}).Reasons(); r == nil || len(r) != 0 {
		t.Errorf("Reasons() = %#v, want an empty list", r)
	}
}

// TestDecideDoesNotAlias checks that a decision's lists are its own: a
// caller appending to one never writes into the rules or another list.
func TestDecideDoesNotAlias(t *testing.T) {
	d := Decide(Rules{Admitted: Standard, MaxAge: time.Hour}, Input{Now: wednesdayNoon, Status: wire.Red, SnapshotAge: 2 * time.Hour})
	all := d.Reasons()
	all[0] = "changed"
	if d.Deny[0] != reason.Isolation {
		t.Errorf("Reasons() aliases Deny: %v", d.Deny)
	}
}

func TestDataTooOld(t *testing.T) {
	week := 7 * 24 * time.Hour
	tests := []struct {
		name  string
		limit time.Duration
		age   time.Duration
		old   bool
	}{
		{"fresh", 0, time.Hour, false},
		{"default limit, exactly at it", 0, week, false},
		{"default limit, just past it", 0, week + time.Nanosecond, true},
		{"four years on", 0, 4 * 365 * 24 * time.Hour, true},
		{"negative limit is the default", -time.Hour, week + time.Second, true},
		{"own limit, exactly at it", 48 * time.Hour, 48 * time.Hour, false},
		{"own limit, just past it", 48 * time.Hour, 48*time.Hour + time.Nanosecond, true},
		{"own limit longer than the default", 30 * 24 * time.Hour, 8 * 24 * time.Hour, false},
		{"clock behind the snapshot is not too old", 0, -time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Rules{MaxDataAge: tt.limit}).DataTooOld(tt.age); got != tt.old {
				t.Errorf("DataTooOld(%s) with limit %s = %v, want %v", tt.age, tt.limit, got, tt.old)
			}
		})
	}
}
