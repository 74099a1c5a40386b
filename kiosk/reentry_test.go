package kiosk

import (
	"context"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// TestReentryCountsInsideOnce is the defect found by trying it: the same
// green IIN scanned twice, 3 s apart, raised "inside now" from 12 to 13.
// Entries count admits; inside counts distinct people, so a re-entry
// without an exit raises the first and not the second, and undoing it
// takes back only the entry.
func TestReentryCountsInsideOnce(t *testing.T) {
	ctx := context.Background()
	green, other := demo.People()[0].IIN, demo.People()[2].IIN
	type want struct{ entries, inside int }
	tests := []struct {
		name  string
		steps []string // an IIN to scan, or "undo"
		want  want
	}{
		{"re-entry 3 s later", []string{green, green}, want{2, 1}},
		{"two people, one re-enters twice", []string{green, other, green, green}, want{4, 2}},
		{"undo of the re-entry keeps the person inside", []string{green, green, "undo"}, want{1, 1}},
		{"undo of the first entry takes the person out", []string{green, "undo"}, want{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Settings{UndoWindow: time.Minute})
			for _, s := range tt.steps {
				f.clock.add(3 * time.Second)
				if s == "undo" {
					if _, err := f.c.Undo(ctx); err != nil {
						t.Fatalf("undo: %v", err)
					}
					continue
				}
				if v := f.check(s); v.Decision != Admit || v.Repeat {
					t.Fatalf("scan: %+v", v)
				}
			}
			stats, err := f.c.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := (want{stats.Counters.Entries, stats.Counters.Inside}); got != tt.want {
				t.Fatalf("entries, inside = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestReentryDoesNotFillTheVenue: capacity counts people inside, so a
// visitor re-entering does not take a second place and turn the next one
// away as full.
func TestReentryDoesNotFillTheVenue(t *testing.T) {
	f := newFixture(t, Settings{Rules: policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour, Capacity: 2}})
	people := demo.People()
	for _, iin := range []string{people[0].IIN, people[0].IIN, people[2].IIN} {
		f.clock.add(3 * time.Second)
		if v := f.check(iin); v.Decision != Admit {
			t.Fatalf("with one person inside, %+v", v)
		}
	}
}
