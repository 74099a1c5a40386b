package policy

import (
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

var (
	wednesdayNoon = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	saturdayNoon  = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	weekendsGreen = ScheduleRule{Name: "weekends green only", Days: []time.Weekday{time.Saturday, time.Sunday}, Admitted: TestRequired}
)

func TestDecideStatuses(t *testing.T) {
	type want struct {
		admit bool
		deny  reason.Code
	}
	tests := []struct {
		set    StatusSet
		status wire.Status
		want   want
	}{
		{Standard, wire.Green, want{true, ""}},
		{Standard, wire.Blue, want{true, ""}},
		{Standard, wire.Yellow, want{false, reason.Contact}},
		{Standard, wire.Red, want{false, reason.Isolation}},
		{TestRequired, wire.Green, want{true, ""}},
		{TestRequired, wire.Blue, want{false, reason.TestRequired}},
		{TestRequired, wire.Yellow, want{false, reason.Contact}},
		{TestRequired, wire.Red, want{false, reason.Isolation}},
		{SetOf(wire.Blue), wire.Green, want{false, reason.StatusNotAdmitted}},
		{SetOf(wire.Green, wire.Blue, wire.Yellow), wire.Yellow, want{true, ""}},
		{SetOf(wire.Green, wire.Blue, wire.Yellow, wire.Red), wire.Red, want{true, ""}},
	}
	for _, tt := range tests {
		for _, dir := range []Direction{Entry, Exit} {
			d := Decide(Rules{Admitted: tt.set}, Input{Now: wednesdayNoon, Direction: dir, Status: tt.status})
			if dir == Exit {
				if !d.Admit || len(d.Reasons()) != 0 {
					t.Errorf("%v %v exit: %+v, want admitted with no reasons", tt.set, tt.status, d)
				}
				continue
			}
			if d.Admit != tt.want.admit {
				t.Errorf("%v %v: admit = %v, want %v", tt.set, tt.status, d.Admit, tt.want.admit)
			}
			if tt.want.deny != "" && !slices.Equal(d.Deny, []reason.Code{tt.want.deny}) {
				t.Errorf("%v %v: deny = %v, want [%s]", tt.set, tt.status, d.Deny, tt.want.deny)
			}
		}
	}
}

func TestDecideSchedule(t *testing.T) {
	r := Rules{Admitted: Standard, Schedule: []ScheduleRule{weekendsGreen}}
	if d := Decide(r, Input{Now: wednesdayNoon, Status: wire.Blue}); !d.Admit {
		t.Errorf("blue on a weekday: %+v", d)
	}
	if d := Decide(r, Input{Now: saturdayNoon, Status: wire.Blue}); d.Admit || !slices.Equal(d.Deny, []reason.Code{reason.Schedule}) {
		t.Errorf("blue on Saturday: %+v, want schedule", d)
	}
	if d := Decide(r, Input{Now: saturdayNoon, Status: wire.Green}); !d.Admit {
		t.Errorf("green on Saturday: %+v", d)
	}
	if d := Decide(r, Input{Now: saturdayNoon, Status: wire.Red}); !slices.Equal(d.Deny, []reason.Code{reason.Isolation}) {
		t.Errorf("red on Saturday: %+v, want isolation", d)
	}
}

func TestScheduleMatches(t *testing.T) {
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, time.UTC) } // 23 Nov 2026 is a Monday
	evening := ScheduleRule{From: 18 * 60, To: 23 * 60}
	night := ScheduleRule{Days: []time.Weekday{time.Friday}, From: 22 * 60, To: 2 * 60}
	tests := []struct {
		rule ScheduleRule
		at   time.Time
		want bool
	}{
		{weekendsGreen, at(28, 0, 0), true},   // Saturday
		{weekendsGreen, at(29, 23, 59), true}, // Sunday
		{weekendsGreen, at(30, 0, 0), false},  // Monday
		{evening, at(24, 17, 59), false},      // before
		{evening, at(24, 18, 0), true},        // From is inclusive
		{evening, at(24, 22, 59), true},       //
		{evening, at(24, 23, 0), false},       // To is exclusive
		{night, at(27, 21, 59), false},        // Friday before
		{night, at(27, 22, 0), true},          // Friday night
		{night, at(28, 1, 59), true},          // small hours of Saturday belong to Friday
		{night, at(28, 2, 0), false},          // over
		{night, at(28, 22, 30), false},        // Saturday night is not Friday
		{night, at(27, 1, 0), false},          // small hours of Friday belong to Thursday
		{ScheduleRule{}, at(25, 3, 0), true},  // no days, no hours: always
	}
	for _, tt := range tests {
		if got := tt.rule.Matches(tt.at); got != tt.want {
			t.Errorf("%+v at %s: %v, want %v", tt.rule, tt.at.Format("Mon 15:04"), got, tt.want)
		}
	}
}

func TestDecideCapacityReentryStale(t *testing.T) {
	entered := wednesdayNoon.Add(-time.Hour)
	tests := []struct {
		name  string
		rules Rules
		in    Input
		admit bool
		deny  []reason.Code
		warn  []reason.Code
	}{
		{"below capacity", Rules{Admitted: Standard, Capacity: 10}, Input{Inside: 9}, true, nil, nil},
		{"at capacity", Rules{Admitted: Standard, Capacity: 10}, Input{Inside: 10}, false, []reason.Code{reason.Full}, nil},
		{"over capacity", Rules{Admitted: Standard, Capacity: 10}, Input{Inside: 11}, false, []reason.Code{reason.Full}, nil},
		{"no capacity limit", Rules{Admitted: Standard}, Input{Inside: 1e6}, true, nil, nil},
		{"full exit still recorded", Rules{Admitted: Standard, Capacity: 1}, Input{Inside: 5, Direction: Exit}, true, nil, nil},
		{"reentry warns", Rules{Admitted: Standard}, Input{FirstEntryAt: entered}, true, nil, []reason.Code{reason.Reentry}},
		{"reentry denies", Rules{Admitted: Standard, Reentry: Deny}, Input{FirstEntryAt: entered}, false, []reason.Code{reason.Reentry}, nil},
		{"fresh", Rules{Admitted: Standard, MaxAge: 24 * time.Hour}, Input{SnapshotAge: 24 * time.Hour}, true, nil, nil},
		{"stale warns", Rules{Admitted: Standard, MaxAge: 24 * time.Hour}, Input{SnapshotAge: 25 * time.Hour}, true, nil, []reason.Code{reason.StaleSnapshot}},
		{"stale denies", Rules{Admitted: Standard, MaxAge: 24 * time.Hour, Stale: Deny}, Input{SnapshotAge: 25 * time.Hour}, false, []reason.Code{reason.StaleSnapshot}, nil},
		{"max age 0 never stale", Rules{Admitted: Standard, Stale: Deny}, Input{SnapshotAge: 1e6 * time.Hour}, true, nil, nil},
		{"all at once, in order", Rules{Admitted: Standard, Capacity: 1, Reentry: Deny, Stale: Warn, MaxAge: time.Hour},
			Input{Status: wire.Red, Inside: 1, FirstEntryAt: entered, SnapshotAge: 2 * time.Hour}, false,
			[]reason.Code{reason.Isolation, reason.Full, reason.Reentry}, []reason.Code{reason.StaleSnapshot}},
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
		})
	}
}

func TestParsers(t *testing.T) {
	if s, err := ParseStatusSet("green, blue"); err != nil || s != Standard {
		t.Errorf("ParseStatusSet list: %v %v", s, err)
	}
	if s, err := ParseStatusSet("test-required"); err != nil || s != TestRequired {
		t.Errorf("ParseStatusSet preset: %v %v", s, err)
	}
	if _, err := ParseStatusSet("purple"); err == nil {
		t.Error("ParseStatusSet accepted purple")
	}
	if c, err := ParseClockTime("07:30"); err != nil || c != 450 || c.String() != "07:30" {
		t.Errorf("ParseClockTime: %v %v", c, err)
	}
	if _, err := ParseClockTime("25:00"); err == nil {
		t.Error("ParseClockTime accepted 25:00")
	}
	if _, err := ParseDirection("sideways"); err == nil {
		t.Error("ParseDirection accepted sideways")
	}
}
