package kiosk

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/store"
)

// TestUndoReversesTheLatestInTheSameMillisecond: two decisions in the same
// millisecond (a fixed clock, or a fast scanner) and then an undo. The
// undo must reverse the second one, the one the screen showed last. Visit
// ids are UUIDv7 and the store walks them in id order: with random bits
// after an equal millisecond, the admit sorted after the deny about one
// time in two and the undo reversed the admit (TestUndoAsksFirst's
// flake in the TUI, reverted in e92627f).
func TestUndoReversesTheLatestInTheSameMillisecond(t *testing.T) {
	for i := 0; i < 40; i++ {
		f := newFixture(t, Settings{})
		admit := f.check(demo.People()[0].IIN)
		deny := f.check(demo.People()[3].IIN)
		if admit.Decision != Admit || deny.Decision != Deny {
			t.Fatalf("setup: %s then %s", admit.Decision, deny.Decision)
		}
		u, err := f.c.Undo(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if u.Undoes != deny.VisitID {
			t.Fatalf("run %d: the undo reversed %s, want the deny %s (the admit is %s)", i, u.Undoes, deny.VisitID, admit.VisitID)
		}
		st, _ := f.c.Stats(context.Background())
		if st.Counters.Entries != 1 {
			t.Fatalf("run %d: entries %d after admit, deny, undo; want 1", i, st.Counters.Entries)
		}
	}
}

// TestVisitIDsSortInDecisionOrder: ids sort in the order they were made
// whatever the clock does: the same millisecond, a step back, a counter
// at its end, and after a restart seeded from the newest stored id.
func TestVisitIDsSortInDecisionOrder(t *testing.T) {
	t0 := demoDay
	tests := []struct {
		name  string
		times []time.Time
	}{
		{"same millisecond", []time.Time{t0, t0, t0, t0}},
		{"clock steps back", []time.Time{t0, t0.Add(-time.Hour), t0.Add(-2 * time.Hour)}},
		{"forward then same", []time.Time{t0, t0.Add(time.Millisecond), t0.Add(time.Millisecond)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s idSequence
			var prev store.VisitID
			for i, at := range tt.times {
				id, err := s.next(at, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Compare(id[:], prev[:]) <= 0 {
					t.Fatalf("id %d %s does not sort after %s", i, id, prev)
				}
				if id[6]>>4 != 7 || id[8]>>6 != 2 {
					t.Fatalf("id %d %s is not a UUIDv7", i, id)
				}
				prev = id
			}
		})
	}
	t.Run("counter full spills into the millisecond", func(t *testing.T) {
		last, _ := store.NewVisitID(t0, rand.Reader)
		last[6], last[7] = 0x7f, 0xff
		s := idSequence{last: last}
		id, _ := s.next(t0, rand.Reader)
		if bytes.Compare(id[:], last[:]) <= 0 || id[6] != 0x70 || id[7] != 0 {
			t.Fatalf("after %s: %s", last, id)
		}
	})
	t.Run("restart seeds from the store", func(t *testing.T) {
		f := newFixture(t, Settings{})
		first := f.check(demo.People()[0].IIN)
		again := New(f.st, Settings{Kiosk: "k1", Venue: "v1", Door: "d1"}, WithClock(func() time.Time { return demoDay.Add(-time.Minute) }))
		if again.ids.last.String() != first.VisitID {
			t.Fatalf("seeded with %s, want %s", again.ids.last, first.VisitID)
		}
	})
}
