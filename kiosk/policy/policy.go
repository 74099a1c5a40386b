// Package policy is the venue's decision, as a pure function: given a
// verified visitor's status, the venue rules, the occupancy and the time,
// admit or deny, and why. It does no I/O and reads no clock, so every rule
// is a table test.
package policy

import (
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Rules are one venue door's admission rules. The zero Rules admit
// nobody (an empty Admitted set); start from Admitted: Standard.
type Rules struct {
	// Admitted is the set of statuses an entry admits when no schedule
	// rule matches.
	Admitted StatusSet
	// Schedule rules replace Admitted at their times; the first that
	// matches wins (for example, a cinema admitting green only at
	// weekends).
	Schedule []ScheduleRule
	// Capacity is the maximum occupancy; 0 means unlimited.
	Capacity int
	// Reentry is what an entry by someone already inside (entered, no
	// exit since) does. Warn by default: people leave by doors that have
	// no exit kiosk.
	Reentry Mode
	// Stale is what a snapshot older than MaxAge does. MaxAge 0 means
	// the snapshot never counts as stale.
	Stale  Mode
	MaxAge time.Duration
	// MaxDataAge is the hard limit beyond which snapshot data decides
	// nothing at all (see DataTooOld); 0 means DefaultMaxDataAge, never
	// "no limit".
	MaxDataAge time.Duration
}

// Input is one verified visitor at one moment.
type Input struct {
	Now          time.Time // in the venue's time zone: schedules use its weekday and wall clock
	Direction    Direction
	Status       wire.Status   // effective status: blue once a listed status has ended
	SnapshotAge  time.Duration // now minus the snapshot's creation
	Inside       int           // occupancy before this visitor
	FirstEntryAt time.Time     // non-zero when this visitor entered and has not exited
}

// Decision is the outcome.
//
// Deny lists the reasons that refused entry and Warn the reasons shown
// that did not refuse. Each reason appears at most once, in one of the
// two lists, and both lists keep the same fixed order: the status reason
// (isolation, contact, test_required, schedule or status_not_admitted),
// then full, then reentry, then stale_snapshot. Every reason that applies
// is listed, not only the first, so staff see at once that a red visitor
// also found the venue full. Admit is true exactly when Deny is empty.
type Decision struct {
	Admit bool
	Deny  []reason.Code
	Warn  []reason.Code
	// Rule names the schedule rule in force at Now, when one matched
	// and it has a name; empty when the base Admitted set applied.
	Rule string
}

// Reasons returns Deny then Warn: the reasons a screen or log shows, the
// ones that decided first. It never returns nil, so an admit with no
// reasons encodes as an empty list.
func (d Decision) Reasons() []reason.Code {
	out := make([]reason.Code, 0, len(d.Deny)+len(d.Warn))
	return append(append(out, d.Deny...), d.Warn...)
}

// Decide applies the rules to one visitor. An exit is always admitted,
// with no reasons: the visitor is leaving, and refusing to record it
// would only make the occupancy count wrong.
func Decide(r Rules, in Input) Decision {
	var d Decision
	if in.Direction == Exit {
		d.Admit = true
		return d
	}
	set, rule, scheduled := r.admittedAt(in.Now)
	d.Rule = rule
	if c, ok := statusReason(set, scheduled, in.Status); !ok {
		d.Deny = append(d.Deny, c)
	}
	if r.Capacity > 0 && in.Inside >= r.Capacity {
		d.Deny = append(d.Deny, reason.Full)
	}
	if !in.FirstEntryAt.IsZero() {
		d.add(r.Reentry, reason.Reentry)
	}
	if r.MaxAge > 0 && in.SnapshotAge > r.MaxAge {
		d.add(r.Stale, reason.StaleSnapshot)
	}
	d.Admit = len(d.Deny) == 0
	return d
}

func (d *Decision) add(m Mode, c reason.Code) {
	if m == Deny {
		d.Deny = append(d.Deny, c)
	} else {
		d.Warn = append(d.Warn, c)
	}
}

// admittedAt returns the admitted set in force at now, the name of the
// schedule rule that chose it, and whether a schedule rule chose it at
// all: the reason for a refusal depends on which.
func (r Rules) admittedAt(now time.Time) (set StatusSet, rule string, scheduled bool) {
	for _, s := range r.Schedule {
		if s.Matches(now) {
			return s.Admitted, s.Name, true
		}
	}
	return r.Admitted, "", false
}

// statusReason reports whether set admits st, and if not, the most
// telling reason. Isolation and contact name themselves whatever excluded
// them, because staff must know a red visitor is red. Otherwise a
// schedule rule names itself ("not admitted at this time"), and a blue
// kept out by the base set of green alone is asked for a test.
func statusReason(set StatusSet, scheduled bool, st wire.Status) (reason.Code, bool) {
	if set.Has(st) {
		return "", true
	}
	switch {
	case st == wire.Red:
		return reason.Isolation, false
	case st == wire.Yellow:
		return reason.Contact, false
	case scheduled:
		return reason.Schedule, false
	case st == wire.Blue && set == TestRequired:
		return reason.TestRequired, false
	}
	return reason.StatusNotAdmitted, false
}
