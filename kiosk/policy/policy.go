// Package policy is the venue's decision, as a pure function: given a
// verified visitor's status, the venue rules, the occupancy and the time,
// admit or deny, and why. It does no I/O and reads no clock, so every rule
// is a table test.
package policy

import (
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Direction says whether a door counts people in or out.
type Direction int

const (
	Entry Direction = iota
	Exit
)

func (d Direction) String() string {
	if d == Exit {
		return "exit"
	}
	return "entry"
}

// ParseDirection parses "entry" or "exit".
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "entry":
		return Entry, nil
	case "exit":
		return Exit, nil
	}
	return 0, fmt.Errorf("direction %q: want entry or exit", s)
}

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Direction) UnmarshalText(b []byte) error {
	v, err := ParseDirection(string(b))
	*d = v
	return err
}

// Mode says what a rule does when it applies: warn (admit, with the reason
// shown) or deny.
type Mode int

const (
	Warn Mode = iota
	Deny
)

func (m Mode) String() string {
	if m == Deny {
		return "deny"
	}
	return "warn"
}

// ParseMode parses "warn" or "deny".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "warn":
		return Warn, nil
	case "deny":
		return Deny, nil
	}
	return 0, fmt.Errorf("%q: want warn or deny", s)
}

// Rules are one venue door's admission rules.
type Rules struct {
	// Admitted is the set of statuses an entry admits when no schedule
	// rule matches.
	Admitted StatusSet
	// Schedule rules, first match wins, replace Admitted at their times
	// (for example, a cinema admitting green only at weekends).
	Schedule []ScheduleRule
	// Capacity is the maximum occupancy; 0 means unlimited.
	Capacity int
	// Reentry is what an entry by someone already inside does.
	Reentry Mode
	// Stale is what a snapshot older than MaxAge does; MaxAge 0 disables.
	Stale  Mode
	MaxAge time.Duration
}

// Input is one verified visitor at one moment.
type Input struct {
	Now          time.Time // in the venue's time zone: schedules use its weekday and clock
	Direction    Direction
	Status       wire.Status   // effective status: blue once a listed status has ended
	SnapshotAge  time.Duration // now minus the snapshot's creation
	Inside       int           // occupancy before this visitor
	FirstEntryAt time.Time     // non-zero when this visitor entered and has not exited
}

// Decision is the outcome. Deny lists the reasons that refused entry, in a
// fixed order (status, schedule, full, re-entry, stale); Warn the reasons
// that were shown but did not refuse. Admit is true exactly when Deny is
// empty.
type Decision struct {
	Admit bool
	Deny  []reason.Code
	Warn  []reason.Code
}

// Reasons returns Deny then Warn.
func (d Decision) Reasons() []reason.Code {
	out := make([]reason.Code, 0, len(d.Deny)+len(d.Warn))
	return append(append(out, d.Deny...), d.Warn...)
}

// Decide applies the rules. An exit is recorded, never refused.
func Decide(r Rules, in Input) Decision {
	var d Decision
	add := func(m Mode, c reason.Code) {
		if m == Deny {
			d.Deny = append(d.Deny, c)
		} else {
			d.Warn = append(d.Warn, c)
		}
	}
	if in.Direction == Exit {
		d.Admit = true
		return d
	}
	if c, ok := statusReason(r, in); !ok {
		d.Deny = append(d.Deny, c)
	}
	if r.Capacity > 0 && in.Inside >= r.Capacity {
		d.Deny = append(d.Deny, reason.Full)
	}
	if !in.FirstEntryAt.IsZero() {
		add(r.Reentry, reason.Reentry)
	}
	if r.MaxAge > 0 && in.SnapshotAge > r.MaxAge {
		add(r.Stale, reason.StaleSnapshot)
	}
	d.Admit = len(d.Deny) == 0
	return d
}

// statusReason reports whether the status is admitted now, and if not, the
// most telling reason: isolation and contact name themselves whatever set
// excluded them; a blue kept out by a green-only set asks for a test.
func statusReason(r Rules, in Input) (reason.Code, bool) {
	set, scheduled := r.Admitted, false
	for _, s := range r.Schedule {
		if s.Matches(in.Now) {
			set, scheduled = s.Admitted, true
			break
		}
	}
	if set.Has(in.Status) {
		return "", true
	}
	switch {
	case in.Status == wire.Red:
		return reason.Isolation, false
	case in.Status == wire.Yellow:
		return reason.Contact, false
	case scheduled:
		return reason.Schedule, false
	case in.Status == wire.Blue && set == TestRequired:
		return reason.TestRequired, false
	}
	return reason.StatusNotAdmitted, false
}
