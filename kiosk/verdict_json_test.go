package kiosk

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
)

// TestVerdictJSONKeepsDenialsAndWarningsApart: "reasons" holds only what
// denied (empty, never null, for an admit) and "warnings" what did not;
// a cannot_record line has its failure and no "at" when nothing started.
func TestVerdictJSONKeepsDenialsAndWarningsApart(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	type line struct {
		Verdict  string        `json:"verdict"`
		Reasons  []reason.Code `json:"reasons"`
		Warnings []reason.Code `json:"warnings"`
		Failure  string        `json:"failure"`
		At       *time.Time    `json:"at"`
	}
	tests := []struct {
		name              string
		v                 Verdict
		reasons, warnings []reason.Code
		failure           string
		wantAt            bool
	}{
		{"admitted re-entry", Verdict{At: at, Decision: Admit, Reasons: []reason.Code{reason.Reentry}, Warnings: []reason.Code{reason.Reentry}},
			[]reason.Code{}, []reason.Code{reason.Reentry}, "", true},
		{"deny with a warning", Verdict{At: at, Decision: Deny, Reasons: []reason.Code{reason.Full, reason.StaleSnapshot}, Warnings: []reason.Code{reason.StaleSnapshot}},
			[]reason.Code{reason.Full}, []reason.Code{reason.StaleSnapshot}, "", true},
		{"not verified", Verdict{At: at, Decision: NotVerified, Reasons: []reason.Code{reason.BadChecksum}},
			[]reason.Code{reason.BadChecksum}, nil, "", true},
		{"plain admit", Verdict{At: at, Decision: Admit}, []reason.Code{}, nil, "", true},
		{"cannot record", Unrecorded(Verdict{}, "stdin", ErrCannotRecord), []reason.Code{}, nil, "io_error", false},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		var l line
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		if l.Reasons == nil || !slices.Equal(l.Reasons, tt.reasons) || !slices.Equal(l.Warnings, tt.warnings) ||
			l.Failure != tt.failure || (l.At != nil) != tt.wantAt {
			t.Errorf("%s: %s", tt.name, b)
		}
	}
}
