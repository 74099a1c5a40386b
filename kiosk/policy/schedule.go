package policy

import (
	"fmt"
	"slices"
	"time"
)

// ScheduleRule replaces a venue's admitted set on some days and hours: for
// example, a cinema admitting green only at weekends.
type ScheduleRule struct {
	Name string         // shown to staff: "weekends green only"
	Days []time.Weekday // empty: every day
	// From and To bound the window, From inclusive, To exclusive. Both
	// zero means all day. A To at or before From wraps past midnight
	// (22:00–02:00, or 18:00–00:00 for "until midnight"); the small hours
	// belong to the day the window started on, so a Friday 22:00–02:00
	// rule matches at 01:00 on Saturday. From equal to To (not both zero)
	// is a full 24 hours starting at From.
	From, To ClockTime
	Admitted StatusSet
}

// ClockTime is a time of day in minutes after midnight, 0 to 1439.
type ClockTime int

// Clock returns the ClockTime of hour:minute.
func Clock(hour, minute int) ClockTime { return ClockTime(hour*60 + minute) }

// ParseClockTime parses "HH:MM" on a 24-hour clock, 00:00 to 23:59.
func ParseClockTime(s string) (ClockTime, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("time of day %q: want HH:MM from 00:00 to 23:59", s)
	}
	return Clock(t.Hour(), t.Minute()), nil
}

// String returns "HH:MM".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Matches reports whether the rule applies at now, read on now's own wall
// clock: the caller passes the venue's local time, so a daylight-saving
// shift moves the window with the clocks on the wall.
func (r ScheduleRule) Matches(now time.Time) bool {
	minute := Clock(now.Hour(), now.Minute())
	day := now.Weekday()
	switch {
	case r.From == 0 && r.To == 0:
		return r.onDay(day)
	case r.From < r.To:
		return r.onDay(day) && minute >= r.From && minute < r.To
	default: // wraps: From..24:00 on the day, 00:00..To on the next
		if minute >= r.From {
			return r.onDay(day)
		}
		return minute < r.To && r.onDay((day+6)%7)
	}
}

func (r ScheduleRule) onDay(d time.Weekday) bool {
	return len(r.Days) == 0 || slices.Contains(r.Days, d)
}
