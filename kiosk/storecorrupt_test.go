package kiosk

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestFlippedStatusByteIsStoreCorrupt is the attack of issue 6 defect 4,
// end to end: in the snapshot file on disk, the status byte after the key
// of the demo's red subject goes from 01 to 03. Before block checksums the
// kiosk then said "ADMIT green"; it must say NOT VERIFIED store_corrupt.
func TestFlippedStatusByteIsStoreCorrupt(t *testing.T) {
	f := newFixture(t, Settings{})
	var red demo.Person
	for _, p := range demo.People() {
		if p.Label == "red, in isolation" {
			red = p
		}
	}
	wantVerdict(t, f.check(red.IIN), Deny, "red", reason.Isolation)

	digits, err := pass.ParseIIN(red.IIN)
	if err != nil {
		t.Fatal(err)
	}
	subject := demo.Hasher().IIN(digits)
	settings := f.c.Settings()
	path, snapPath := f.st.Path(), store.SnapshotPathFor(f.st.Path())
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's generation is small enough for bbolt to inline it in its
	// parent page, and earlier copies of that page lie freed in the file:
	// flip the byte in each copy in turn; in the live one it must be
	// caught, in a freed one it changes nothing.
	entry := append(subject[:], byte(wire.Red)) // the key, then its status byte
	caught := 0
	for i := 0; ; {
		j := bytes.Index(raw[i:], entry)
		if j < 0 {
			break
		}
		at := i + j + wire.SubjectKeySize
		i = at
		flipped := bytes.Clone(raw)
		flipped[at] = byte(wire.Green)
		if err := os.WriteFile(snapPath, flipped, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(path, store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		c := New(st, settings, WithClock(f.clock.now))
		v, err := c.Check(context.Background(), red.IIN, "test")
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case v.Decision == NotVerified && slices.Equal(v.Reasons, []reason.Code{reason.StoreCorrupt}):
			caught++
			if !v.Recorded {
				t.Fatal("the NOT VERIFIED visit was not recorded: the visit file is apart from the snapshot")
			}
		case v.Decision == Deny && v.StatusName() == "red":
			// a freed copy
		default:
			t.Fatalf("status byte at offset %d flipped 01 → 03: %s %q %v (detail %q)", at, v.Decision, v.StatusName(), v.Reasons, v.Detail)
		}
		f.clock.add(time.Minute)
	}
	if caught == 0 {
		t.Fatal("no flip of the red subject's status byte was caught")
	}
}
