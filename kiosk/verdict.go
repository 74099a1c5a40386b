package kiosk

import (
	"time"

	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Decision is the outcome the screen shows.
type Decision string

const (
	Admit       Decision = "admit"
	Deny        Decision = "deny"
	NotVerified Decision = "not_verified" // could not tell who the visitor is; no colour earned
	Undone      Decision = "undo"         // a previous decision was reversed
)

// PayloadKind says what a payload turned out to be.
type PayloadKind string

const (
	KindIIN     PayloadKind = "iin"
	KindPass    PayloadKind = "pass"
	KindUnknown PayloadKind = "unknown"
)

// Verdict is everything known about one decision. It never holds the raw
// payload or an IIN: Subject is a masked subject key.
type Verdict struct {
	VisitID   string           // idempotency key of the visit record; empty when nothing was recorded
	At        time.Time        // decision time (the kiosk's clock)
	Source    string           // where the payload came from ("serial:…", "wedge", "cli"…)
	Kind      PayloadKind      // what the payload was
	Direction policy.Direction // entry or exit
	Decision  Decision
	// Status is the visitor's status; meaningful only when HasStatus.
	Status    wire.Status
	HasStatus bool
	// StatusUntil is when a listed status ends (zero when it has no set end
	// or the visitor is blue).
	StatusUntil time.Time
	// Reasons explain the decision: denials first, then warnings (an admit
	// may carry warnings such as stale_snapshot or reentry).
	Reasons []reason.Code
	// Warnings is the subset of Reasons that did not deny.
	Warnings []reason.Code
	Subject  string // masked subject key, for telling scans apart; empty if unverified
	// SnapshotVersion is the snapshot the decision was made from (0: none).
	SnapshotVersion uint64
	// FirstEntryAt is when the visitor entered today, for a re-entry.
	FirstEntryAt time.Time
	// ExpiredAgo says how long ago an expired pass ended.
	ExpiredAgo time.Duration
	// ValidIn says how soon a not-yet-valid pass starts.
	ValidIn time.Duration
	// Repeat is true when the same payload arrived again within the
	// debounce window: this is the earlier verdict, not a new visit.
	Repeat bool
	// Recorded is true when the visit is committed to disk (false in a dry
	// run and for repeats).
	Recorded bool
	// Undoes is the visit id an undo verdict reverses.
	Undoes string
}

// HasReason reports whether c is among the verdict's reasons.
func (v Verdict) HasReason(c reason.Code) bool {
	for _, r := range v.Reasons {
		if r == c {
			return true
		}
	}
	return false
}

// StatusName returns the status colour, or "" when the visitor was not
// verified.
func (v Verdict) StatusName() string {
	if !v.HasStatus {
		return ""
	}
	return v.Status.String()
}
