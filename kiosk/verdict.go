package kiosk

import (
	"slices"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Decision is the outcome the screen shows.
type Decision string

const (
	Admit       Decision = "admit"
	Deny        Decision = "deny"
	NotVerified Decision = "not_verified" // could not tell who the visitor is; no colour earned
	Undone      Decision = "undo"         // a previous decision was reversed
	// CannotRecord means the visit could not be committed, so no decision
	// is shown and the visitor is not let through. Failure says why.
	CannotRecord Decision = "cannot_record"
)

// PayloadKind says what a payload turned out to be.
type PayloadKind string

const (
	KindIIN     PayloadKind = "iin"
	KindPass    PayloadKind = "pass"
	KindUnknown PayloadKind = "unknown"
)

// Verdict is everything known about one decision. It never holds the raw
// payload or an IIN: Subject is a masked subject key, IINLast4 at most
// the last four digits.
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
	// Reasons is everything a screen shows about the decision: denials
	// first, then warnings (an admit may carry warnings such as
	// stale_snapshot or reentry). Denials returns the denials alone.
	Reasons []reason.Code
	// Warnings is the subset of Reasons that did not deny.
	Warnings []reason.Code
	Subject  string // masked subject key, for telling scans apart; empty if unverified
	// IINLast4 is the last four digits of a well-formed IIN, what a guard
	// compares with the ID card; never more of it. Empty for a pass.
	IINLast4 string
	// Holder is whom a verified DCC names, for the guard to compare with
	// the passport during the verdict's seconds; nil otherwise. In memory
	// only: never recorded, never in the JSON line, redacted when printed
	// or logged (holder.go).
	Holder *Holder
	// PassFrom and PassUntil are a verified pass's window (zero for an
	// IIN), shown beside the verdict.
	PassFrom, PassUntil time.Time
	// SnapshotVersion is the snapshot the decision was made from (0: none).
	SnapshotVersion uint64
	// FirstEntryAt is when the visitor entered today, for a re-entry.
	FirstEntryAt time.Time
	// ExpiredAgo says how long ago an expired pass ended.
	ExpiredAgo time.Duration
	// ValidIn says how soon a not-yet-valid pass starts.
	ValidIn time.Duration
	// Detail explains a NOT VERIFIED reason when the code alone does not
	// say enough: which trusted time the clock is behind, how old the
	// data is, which store read failed. The checker writes it; it never
	// holds input.
	Detail string
	// Repeat is true when the same payload arrived again within the
	// debounce window: this is the earlier verdict, not a new visit.
	Repeat bool
	// Recorded is true when the visit is committed to disk (false in a dry
	// run and for repeats).
	Recorded bool
	// Undoes is the visit id an undo verdict reverses.
	Undoes string
	// Failure says why the visit could not be recorded; set exactly when
	// Decision is CannotRecord (see Unrecorded). FailureDetail is the
	// error text, already sanitized and bounded.
	Failure       Failure
	FailureDetail string
}

// Denials returns the reasons that denied the visitor or left the payload
// not verified: Reasons without Warnings. It is empty for an admit, so a
// script may treat any of them as a refusal.
func (v Verdict) Denials() []reason.Code {
	if len(v.Warnings) == 0 {
		return v.Reasons
	}
	out := make([]reason.Code, 0, len(v.Reasons))
	for _, r := range v.Reasons {
		if !slices.Contains(v.Warnings, r) {
			out = append(out, r)
		}
	}
	return out
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
