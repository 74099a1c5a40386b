package kiosk

import (
	"context"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// TestSetDirection: after a switch the door records the other direction —
// the verdict, the counters and Settings say so — and back again; a value
// that is neither is refused and changes nothing.
func TestSetDirection(t *testing.T) {
	f := newFixture(t, Settings{})
	green := demo.People()[0].IIN
	if v := f.check(green); v.Direction != policy.Entry || v.Decision != Admit {
		t.Fatalf("entry: %+v", v)
	}
	if err := f.c.SetDirection(policy.Exit); err != nil {
		t.Fatal(err)
	}
	if f.c.Direction() != policy.Exit || f.c.Settings().Direction != policy.Exit {
		t.Fatalf("direction %v, settings %v", f.c.Direction(), f.c.Settings().Direction)
	}
	f.clock.add(time.Minute)
	if v := f.check(green); v.Direction != policy.Exit || v.Decision != Admit {
		t.Fatalf("exit: %+v", v)
	}
	stats, _ := f.c.Stats(context.Background())
	if stats.Counters.Entries != 1 || stats.Counters.Exits != 1 || stats.Counters.Inside != 0 {
		t.Fatalf("counters after entry and exit: %+v", stats.Counters)
	}
	if err := f.c.SetDirection(policy.Direction(7)); err == nil || f.c.Direction() != policy.Exit {
		t.Fatalf("a bad direction: %v, now %v", err, f.c.Direction())
	}
	if err := f.c.SetDirection(policy.Entry); err != nil || f.c.Direction() != policy.Entry {
		t.Fatalf("back to entry: %v", err)
	}
}
