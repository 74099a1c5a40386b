package kiosk

import (
	"encoding/json"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/reason"
)

// verdictJSON is the stable JSON shape of a verdict, one object per line in
// `doorcheck check --json` and `doorcheck run --no-tui`. Fields are only
// ever added.
type verdictJSON struct {
	Status          string        `json:"status"`  // red|yellow|blue|green, or "" when not verified
	Verdict         Decision      `json:"verdict"` // admit|deny|not_verified|undo
	Reasons         []reason.Code `json:"reasons"`
	Warnings        []reason.Code `json:"warnings,omitempty"`
	SnapshotVersion uint64        `json:"snapshot_version"`
	Kind            PayloadKind   `json:"kind"`
	Direction       string        `json:"direction"`
	Subject         string        `json:"subject,omitempty"`
	At              time.Time     `json:"at"`
	Source          string        `json:"source,omitempty"`
	VisitID         string        `json:"visit_id,omitempty"`
	Recorded        bool          `json:"recorded"`
	Repeat          bool          `json:"repeat,omitempty"`
	StatusUntil     *time.Time    `json:"status_until,omitempty"`
	FirstEntryAt    *time.Time    `json:"first_entry_at,omitempty"`
	ExpiredAgoS     int64         `json:"expired_ago_s,omitempty"`
	ValidInS        int64         `json:"valid_in_s,omitempty"`
	Undoes          string        `json:"undoes,omitempty"`
}

// MarshalJSON renders the verdict in its stable line format.
func (v Verdict) MarshalJSON() ([]byte, error) {
	j := verdictJSON{
		Status:          v.StatusName(),
		Verdict:         v.Decision,
		Reasons:         v.Reasons,
		Warnings:        v.Warnings,
		SnapshotVersion: v.SnapshotVersion,
		Kind:            v.Kind,
		Direction:       v.Direction.String(),
		Subject:         v.Subject,
		At:              v.At,
		Source:          v.Source,
		VisitID:         v.VisitID,
		Recorded:        v.Recorded,
		Repeat:          v.Repeat,
		ExpiredAgoS:     int64(v.ExpiredAgo / time.Second),
		ValidInS:        int64(v.ValidIn / time.Second),
		Undoes:          v.Undoes,
	}
	if j.Reasons == nil {
		j.Reasons = []reason.Code{}
	}
	if !v.StatusUntil.IsZero() {
		j.StatusUntil = &v.StatusUntil
	}
	if !v.FirstEntryAt.IsZero() {
		j.FirstEntryAt = &v.FirstEntryAt
	}
	return json.Marshal(j)
}
