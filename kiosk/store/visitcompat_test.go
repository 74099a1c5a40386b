package store

import (
	"encoding/json"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestVisitJSONFromBeforeTypedFields: visits written when the store kept
// loose strings (these are such records, byte for byte) read back typed,
// stay in the outbox for upload, can be undone, and are written again with
// the same words.
func TestVisitJSONFromBeforeTypedFields(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		dir     sv.Direction
		kind    sv.PayloadKind
		verdict sv.Decision
	}{
		{"admitted entry", `{"id":"019ac000-0000-7000-8000-000000000001","at":"2026-11-24T09:00:00Z","day":"2026-11-24","kiosk":"k","venue":"v","door":"d","direction":"entry","kind":"iin","status":"green","verdict":"admit","reasons":[],"snapshot_version":3,"subject":"07000000000000000000000000000000"}`,
			sv.Entry, sv.KindIIN, sv.Admit},
		{"exit by pass", `{"id":"019ac000-0000-7000-8000-000000000002","at":"2026-11-24T09:01:00Z","day":"2026-11-24","kiosk":"k","venue":"v","door":"d","direction":"exit","kind":"pass","status":"blue","verdict":"admit","reasons":null,"snapshot_version":3,"subject":"08000000000000000000000000000000"}`,
			sv.Exit, sv.KindPass, sv.Admit},
		{"not verified", `{"id":"019ac000-0000-7000-8000-000000000003","at":"2026-11-24T09:02:00Z","day":"2026-11-24","kiosk":"k","venue":"v","door":"d","direction":"entry","kind":"unknown","status":"","verdict":"not_verified","reasons":["unknown_format"],"snapshot_version":3}`,
			sv.Entry, sv.KindUnknown, sv.NotVerified},
		{"dcc denial", `{"id":"019ac000-0000-7000-8000-000000000004","at":"2026-11-24T09:03:00Z","day":"2026-11-24","kiosk":"k","venue":"v","door":"d","direction":"entry","kind":"dcc","status":"red","verdict":"deny","reasons":["dcc_expired"],"snapshot_version":3,"subject":"09000000000000000000000000000000"}`,
			sv.Entry, sv.KindDCC, sv.Deny},
		{"override", `{"id":"019ac000-0000-7000-8000-000000000005","at":"2026-11-24T09:04:00Z","day":"2026-11-24","kiosk":"k","venue":"v","door":"d","direction":"entry","kind":"iin","status":"red","verdict":"override","reasons":["isolation"],"snapshot_version":3,"subject":"0a000000000000000000000000000000","override_reason":"staff"}`,
			sv.Entry, sv.KindIIN, sv.Override},
	}
	s := openTest(t, Options{NoSync: true})
	err := s.logUpdate(func(tx *bolt.Tx) error { // as the older store wrote them
		for _, tt := range tests {
			var head struct{ ID VisitID }
			if err := json.Unmarshal([]byte(tt.raw), &head); err != nil {
				return err
			}
			if err := tx.Bucket([]byte(bucketVisits)).Put(head.ID[:], []byte(tt.raw)); err != nil {
				return err
			}
			if err := tx.Bucket([]byte(bucketOutbox)).Put(head.ID[:], nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(100)
	if err != nil || len(pending) != len(tests) {
		t.Fatalf("pending: %d, %v", len(pending), err)
	}
	for i, tt := range tests {
		v := pending[i]
		if v.Direction != tt.dir || v.Kind != tt.kind || v.Verdict != tt.verdict {
			t.Errorf("%s: read %v %v %v, want %v %v %v", tt.name, v.Direction, v.Kind, v.Verdict, tt.dir, tt.kind, tt.verdict)
		}
		again, err := encodeVisit(v, nil)
		if err != nil {
			t.Fatalf("%s: encode: %v", tt.name, err)
		}
		var was, now map[string]any
		json.Unmarshal([]byte(tt.raw), &was)
		json.Unmarshal(again, &now)
		for _, k := range []string{"direction", "kind", "verdict", "status", "subject"} {
			if was[k] != now[k] {
				t.Errorf("%s: %s written %v, was %v", tt.name, k, now[k], was[k])
			}
		}
	}
	if pending[0].Subject != (wire.SubjectKey{7}) {
		t.Fatalf("subject %v", pending[0].Subject)
	}
	u := visit(t, pending[0].At.Add(10*time.Minute), "entry", VerdictUndo, 7)
	u.Undoes = pending[0].ID
	if _, err := s.Record(t.Context(), u); err != nil {
		t.Fatalf("undo of an old visit: %v", err)
	}
}

// TestRecordRefusesUnknownEnums: a visit whose direction, kind or verdict
// is not one sync/visit knows could neither be read back nor uploaded.
func TestRecordRefusesUnknownEnums(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	base := visit(t, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), "entry", VerdictAdmit, 1)
	tests := []struct {
		name string
		edit func(*Visit)
	}{
		{"no direction", func(v *Visit) { v.Direction = 0 }},
		{"no kind", func(v *Visit) { v.Kind = 0 }},
		{"unknown verdict", func(v *Visit) { v.Verdict = 99 }},
	}
	for _, tt := range tests {
		v := base
		tt.edit(&v)
		if _, err := s.Record(t.Context(), v); err == nil {
			t.Errorf("%s: recorded", tt.name)
		}
	}
}
