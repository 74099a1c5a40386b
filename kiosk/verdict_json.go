package kiosk

import (
	"encoding/json"
	"time"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/reason"
)

// verdictJSON is the stable JSON shape of a verdict, one object per line in
// `doorcheck check --json` and `doorcheck run --no-tui` (docs/formats.md,
// "Verdict lines"). Fields are only ever added.
//
// reasons and warnings never overlap: reasons are why the visitor was
// denied or not verified (empty for an admit), warnings what was noted
// without denying. A script may treat any reason as a refusal.
type verdictJSON struct {
	Status          string        `json:"status"`  // red|yellow|blue|green, or "" when not verified or not recorded
	Verdict         Decision      `json:"verdict"` // admit|deny|not_verified|undo|cannot_record
	Reasons         []reason.Code `json:"reasons"`
	Warnings        []reason.Code `json:"warnings,omitempty"`
	SnapshotVersion uint64        `json:"snapshot_version"`
	Kind            PayloadKind   `json:"kind"`
	Direction       string        `json:"direction"`
	Subject         string        `json:"subject,omitempty"`
	At              *time.Time    `json:"at,omitempty"` // absent only for a cannot_record line of a check that never started
	Source          string        `json:"source,omitempty"`
	VisitID         string        `json:"visit_id,omitempty"`
	Recorded        bool          `json:"recorded"`
	Repeat          bool          `json:"repeat,omitempty"`
	StatusUntil     *time.Time    `json:"status_until,omitempty"`
	FirstEntryAt    *time.Time    `json:"first_entry_at,omitempty"`
	ExpiredAgoS     int64         `json:"expired_ago_s,omitempty"`
	ValidInS        int64         `json:"valid_in_s,omitempty"`
	Undoes          string        `json:"undoes,omitempty"`
	Detail          string        `json:"detail,omitempty"`         // why, in words, when the reason code alone does not say (sanitized)
	Failure         Failure       `json:"failure,omitempty"`        // cannot_record only: disk_full|read_only|…
	FailureDetail   string        `json:"failure_detail,omitempty"` // cannot_record only: the error, sanitized
}

// MarshalJSON renders the verdict in its stable line format.
func (v Verdict) MarshalJSON() ([]byte, error) {
	j := verdictJSON{
		Status:          v.StatusName(),
		Verdict:         v.Decision,
		Reasons:         v.Denials(),
		Warnings:        v.Warnings,
		SnapshotVersion: v.SnapshotVersion,
		Kind:            v.Kind,
		Direction:       v.Direction.String(),
		Subject:         v.Subject,
		Source:          sanitize.EscapeLimit(v.Source, maxFailureDetail),
		Detail:          sanitize.EscapeLimit(v.Detail, maxFailureDetail),
		VisitID:         v.VisitID,
		Recorded:        v.Recorded,
		Repeat:          v.Repeat,
		ExpiredAgoS:     int64(v.ExpiredAgo / time.Second),
		ValidInS:        int64(v.ValidIn / time.Second),
		Undoes:          v.Undoes,
		Failure:         v.Failure,
		FailureDetail:   v.FailureDetail,
	}
	if j.Reasons == nil {
		j.Reasons = []reason.Code{}
	}
	if !v.At.IsZero() {
		j.At = &v.At
	}
	if !v.StatusUntil.IsZero() {
		j.StatusUntil = &v.StatusUntil
	}
	if !v.FirstEntryAt.IsZero() {
		j.FirstEntryAt = &v.FirstEntryAt
	}
	return json.Marshal(j)
}
