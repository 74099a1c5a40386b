package store

import (
	"context"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestOverrideCounts: an override is an entry (presence included) counted
// apart in Overrides, keeps its reason, and an undo takes both back; the
// deny it follows stays counted as a denial.
func TestOverrideCounts(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	day := t0.Format(time.DateOnly)
	if _, err := s.Record(ctx, visit(t, t0, "entry", VerdictDeny, 7, reason.TestRequired)); err != nil {
		t.Fatal(err)
	}
	o := visit(t, t0.Add(time.Second), "entry", VerdictOverride, 7, reason.TestRequired)
	o.OverrideReason = "paper_test"
	c, err := s.Record(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Entries != 1 || c.Overrides != 1 || c.Inside != 1 || c.Denied[reason.TestRequired] != 1 {
		t.Fatalf("after override: %+v", c)
	}
	if _, _, inside, _ := s.Presence(wire.SubjectKey{7}, day); !inside {
		t.Fatal("an overridden visitor is not inside")
	}
	got, ok, err := s.Visit(o.ID)
	if err != nil || !ok || got.OverrideReason != "paper_test" || got.Verdict != VerdictOverride {
		t.Fatalf("stored override: %+v %v %v", got, ok, err)
	}
	u := visit(t, t0.Add(2*time.Second), "entry", VerdictUndo, 7)
	u.Undoes = o.ID
	if c, err = s.Record(ctx, u); err != nil {
		t.Fatal(err)
	}
	if c.Entries != 0 || c.Overrides != 0 || c.Inside != 0 || c.Undos != 1 {
		t.Fatalf("after undoing the override: %+v", c)
	}
}
