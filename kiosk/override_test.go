package kiosk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/store"
)

// recordFails is a real store whose Record fails, as a full disk does.
type recordFails struct{ checkerStore }

func (recordFails) Record(context.Context, store.Visit) (store.Counters, error) {
	return store.Counters{}, errors.New("no space left on device")
}

// TestOverride: an admin admits a denied visitor: a visit of its own,
// recorded before Override returns, with the reason, counted as an entry
// and apart as an override; the deny still counts. Only the last
// decision, a deny of this kiosk within the undo window, can be
// overridden, once; an undo then reverses the override.
func TestOverride(t *testing.T) {
	ctx := context.Background()
	red := demo.People()[3].IIN
	t.Run("admits and records", func(t *testing.T) {
		f := newFixture(t, Settings{})
		deny := f.check(red)
		if deny.Decision != Deny {
			t.Fatalf("setup: %s", deny.Decision)
		}
		f.clock.add(20 * time.Second)
		o, err := f.c.Override(ctx, deny, "staff")
		if err != nil {
			t.Fatal(err)
		}
		if o.Decision != Override || !o.Recorded || o.VisitID == "" || o.Status != deny.Status || !o.HasStatus {
			t.Fatalf("override verdict %+v", o)
		}
		recent, err := f.st.Recent(1)
		if err != nil || recent[0].ID.String() != o.VisitID || recent[0].OverrideReason != "staff" || recent[0].Verdict != store.VerdictOverride || recent[0].Subject.IsZero() {
			t.Fatalf("stored %+v %v", recent, err)
		}
		st, _ := f.c.Stats(ctx)
		if st.Counters.Entries != 1 || st.Counters.Overrides != 1 || len(st.Counters.Denied) != 1 || st.Counters.Inside != 1 {
			t.Fatalf("counters %+v", st.Counters)
		}
		if _, err := f.c.Override(ctx, deny, "staff"); !errors.Is(err, ErrNotOverridable) {
			t.Fatalf("second override of one deny: %v", err)
		}
		u, err := f.c.Undo(ctx)
		if err != nil || u.Undoes != o.VisitID {
			t.Fatalf("undo after override: %+v %v", u, err)
		}
		st, _ = f.c.Stats(ctx)
		if st.Counters.Entries != 0 || st.Counters.Overrides != 0 {
			t.Fatalf("after undo: %+v", st.Counters)
		}
	})
	refusals := []struct {
		name  string
		setup func(f *fixture) Verdict
		why   OverrideReason
		want  error
	}{
		{"an admit", func(f *fixture) Verdict { return f.check(demo.People()[0].IIN) }, "staff", ErrNotOverridable},
		{"not verified", func(f *fixture) Verdict { return f.check("garbage") }, "staff", ErrNotOverridable},
		{"another scan came since", func(f *fixture) Verdict {
			d := f.check(red)
			f.check(demo.People()[0].IIN)
			return d
		}, "staff", ErrNotOverridable},
		{"undone", func(f *fixture) Verdict {
			d := f.check(red)
			f.c.Undo(context.Background())
			return d
		}, "staff", ErrNotOverridable},
		{"older than the undo window", func(f *fixture) Verdict {
			d := f.check(red)
			f.clock.add(DefaultUndoWindow + time.Second)
			return d
		}, "staff", ErrNotOverridable},
		{"a made-up verdict", func(f *fixture) Verdict {
			f.check(red)
			return Verdict{Decision: Deny, Recorded: true, VisitID: "00000000-0000-7000-8000-000000000000"}
		}, "staff", ErrNotOverridable},
		{"bad reason", func(f *fixture) Verdict { return f.check(red) }, "Paper Test!", nil},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Settings{})
			v := tt.setup(f)
			before, _ := f.c.Stats(ctx)
			_, err := f.c.Override(ctx, v, tt.why)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			after, _ := f.c.Stats(ctx)
			if after.Counters.Overrides != 0 || after.Counters.Entries != before.Counters.Entries {
				t.Fatalf("a refused override counted: %+v", after.Counters)
			}
		})
	}
	t.Run("cannot record", func(t *testing.T) {
		f := newFixture(t, Settings{})
		deny := f.check(red)
		c := newChecker(recordFails{f.st}, f.c.Settings(), WithClock(f.clock.now))
		if _, err := c.Override(ctx, deny, "emergency_services"); !errors.Is(err, ErrCannotRecord) {
			t.Fatalf("err %v, want ErrCannotRecord", err)
		}
	})
}
