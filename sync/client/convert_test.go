package client

import (
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestRecordOf: the store's typed visit becomes the upstream record field
// for field, for every kind and decision the kiosk records (a DCC visit
// included, which has its own kind upstream); the status alone is parsed.
func TestRecordOf(t *testing.T) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	base := store.Visit{ID: store.VisitID{1, 7: 0x70, 8: 0x80}, At: at, Day: "2026-11-24", Kiosk: "k", Venue: "v", Door: "d",
		Direction: visit.Entry, Kind: visit.KindIIN, Status: "green", Verdict: store.VerdictAdmit, Subject: wire.SubjectKey{7}}
	tests := []struct {
		name   string
		edit   func(*store.Visit)
		status wire.Status
		bad    bool
	}{
		{"admitted iin", func(*store.Visit) {}, wire.Green, false},
		{"dcc exit", func(v *store.Visit) { v.Kind, v.Direction = visit.KindDCC, visit.Exit }, wire.Green, false},
		{"override", func(v *store.Visit) { v.Verdict, v.Status = store.VerdictOverride, "red" }, wire.Red, false},
		{"not verified, no status", func(v *store.Visit) {
			v.Verdict, v.Kind, v.Status, v.Subject = store.VerdictNotVerified, visit.KindUnknown, "", wire.SubjectKey{}
		}, wire.Blue, false},
		{"undo without the visit it undoes", func(v *store.Visit) { v.Verdict = store.VerdictUndo }, 0, true},
		{"unknown kind", func(v *store.Visit) { v.Kind = 0 }, 0, true},
		{"unknown status", func(v *store.Visit) { v.Status = "purple" }, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := base
			tt.edit(&v)
			r, err := recordOf(v)
			if tt.bad {
				if err == nil {
					t.Fatalf("converted: %+v", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Direction != v.Direction || r.Kind != v.Kind || r.Decision != v.Verdict || r.Status != tt.status ||
				r.ID != visit.ID(v.ID) || r.Subject != visit.Subject(v.Subject) {
				t.Fatalf("record %+v from %+v", r, v)
			}
		})
	}
}
