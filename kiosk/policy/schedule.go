package policy

import (
	"fmt"
	"time"
)

// ScheduleRule replaces a venue's admitted set on some days and hours: for
// example, green only at weekends.
type ScheduleRule struct {
	Name     string
	Days     []time.Weekday // empty: every day
	From, To ClockTime      // both zero: all day; To before From wraps past midnight
	Admitted StatusSet
}

// ClockTime is a time of day in minutes after midnight.
type ClockTime int

// ParseClockTime parses "HH:MM".
func ParseClockTime(s string) (ClockTime, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	return ClockTime(t.Hour()*60 + t.Minute()), nil
}

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Matches reports whether the rule applies at now (read in now's zone). A
// window that wraps past midnight belongs to the day it starts on.
func (r ScheduleRule) Matches(now time.Time) bool {
	minute := ClockTime(now.Hour()*60 + now.Minute())
	day := now.Weekday()
	allDay := r.From == 0 && r.To == 0
	switch {
	case allDay:
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
	if len(r.Days) == 0 {
		return true
	}
	for _, x := range r.Days {
		if x == d {
			return true
		}
	}
	return false
}
