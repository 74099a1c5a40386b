package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestEntryRoundTrip: every status and both kinds of Until come back as
// imported; what Until means at a given time is the caller's business.
func TestEntryRoundTrip(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 2})
	want := []wire.Entry{
		{Subject: wire.SubjectKey{1}, Status: wire.Red, Until: 0},
		{Subject: wire.SubjectKey{2}, Status: wire.Yellow, Until: 1},
		{Subject: wire.SubjectKey{3}, Status: wire.Green, Until: 1<<32 - 1},
		{Subject: wire.SubjectKey{3, 1}, Status: wire.Red, Until: 1_800_000_000},
		{Subject: wire.SubjectKey{0xff, 0xff}, Status: wire.Green, Until: 7},
	}
	if err := importBytes(s, fullFile(t, 1, slices.Values(want))); err != nil {
		t.Fatal(err)
	}
	checkAll(t, s, want)
	if got := allEntries(t, s); !slices.Equal(got, want) {
		t.Fatalf("stored %+v", got)
	}
}

// TestDeltaCases applies hand-written deltas to a small snapshot spread
// over many 3-entry blocks and compares with wire.Apply, the reference.
func TestDeltaCases(t *testing.T) {
	e := func(k byte, st wire.Status) wire.Entry {
		return wire.Entry{Subject: wire.SubjectKey{k}, Status: st, Until: uint32(k)}
	}
	put := func(k byte, st wire.Status) wire.Change { return wire.Change{Op: wire.OpPut, Entry: e(k, st)} }
	del := func(k byte) wire.Change {
		return wire.Change{Op: wire.OpRemove, Entry: wire.Entry{Subject: wire.SubjectKey{k}}}
	}
	base := []wire.Entry{e(10, 1), e(20, 2), e(30, 3), e(40, 1), e(50, 2), e(60, 3), e(70, 1)}
	tests := []struct {
		name    string
		changes []wire.Change
	}{
		{"empty delta", nil},
		{"add before all", []wire.Change{put(1, wire.Red)}},
		{"add after all", []wire.Change{put(200, wire.Green)}},
		{"add between blocks", []wire.Change{put(31, wire.Green), put(35, wire.Red)}},
		{"change first and last", []wire.Change{put(10, wire.Green), put(70, wire.Yellow)}},
		{"remove first block", []wire.Change{del(10), del(20), del(30)}},
		{"remove everything", []wire.Change{del(10), del(20), del(30), del(40), del(50), del(60), del(70)}},
		{"remove absent subject is a no-op", []wire.Change{del(15), put(16, wire.Red), del(99)}},
		{"mixed", []wire.Change{put(5, 1), del(20), put(30, 1), put(45, 2), del(60), put(71, 3), put(250, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{NoSync: true, blockEntries: 3})
			if err := importBytes(s, fullFile(t, 1, slices.Values(base))); err != nil {
				t.Fatal(err)
			}
			want := slices.Collect(wire.Apply(slices.Values(base), slices.Values(tt.changes)))
			if err := importBytes(s, deltaFile(t, 1, 2, tt.changes, len(want))); err != nil {
				t.Fatal(err)
			}
			if got := allEntries(t, s); !slices.Equal(got, want) {
				t.Fatalf("got %v\nwant %v", got, want)
			}
			checkAll(t, s, want)
			assertOneGeneration(t, s)
		})
	}
}

// TestDeltaChainMatchesApply applies a chain of random deltas and checks
// the store against wire.Apply after each.
func TestDeltaChainMatchesApply(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 5})
	cur := slices.Collect(sortedEntries(3000, 21))
	if err := importBytes(s, fullFile(t, 1, slices.Values(cur))); err != nil {
		t.Fatal(err)
	}
	for v := uint64(2); v <= 6; v++ {
		next := mutate(cur, 0.1, v)
		changes := slices.Collect(wire.Diff(slices.Values(cur), slices.Values(next)))
		want := slices.Collect(wire.Apply(slices.Values(cur), slices.Values(changes)))
		if err := importBytes(s, deltaFile(t, v-1, v, changes, len(want))); err != nil {
			t.Fatalf("delta to %d: %v", v, err)
		}
		if got := allEntries(t, s); !slices.Equal(got, want) {
			t.Fatalf("version %d: store differs from wire.Apply", v)
		}
		cur = want
	}
	checkAll(t, s, cur)
}

func TestCorruptBodyLeavesNoOrphan(t *testing.T) {
	for _, kind := range []wire.Kind{wire.KindFull, wire.KindDelta} {
		t.Run(string(kind), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.db")
			s, err := Open(path, Options{Create: true, NoSync: true, blockEntries: 7})
			if err != nil {
				t.Fatal(err)
			}
			old := slices.Collect(sortedEntries(3000, 9))
			if err := importBytes(s, fullFile(t, 1, slices.Values(old))); err != nil {
				t.Fatal(err)
			}
			var bad []byte
			if kind == wire.KindFull {
				bad = fullFile(t, 2, sortedEntries(3000, 10))
			} else {
				next := mutate(old, 0.2, 3)
				bad = deltaFile(t, 1, 2, slices.Collect(wire.Diff(slices.Values(old), slices.Values(next))), len(next))
			}
			bad[len(bad)-100] ^= 0x01 // a status or until bit: still valid, but the hash differs
			if err := importBytes(s, bad); !errors.Is(err, wire.ErrContent) {
				t.Fatalf("err = %v, want wire.ErrContent", err)
			}
			s.Close()
			if s, err = Open(path, Options{Create: true, NoSync: true}); err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if m, _ := s.Current(); m.Version != 1 {
				t.Fatalf("version %d current after a failed import", m.Version)
			}
			if got := allEntries(t, s); !slices.Equal(got, old) {
				t.Fatal("old snapshot changed by a failed import")
			}
			assertOneGeneration(t, s)
		})
	}
}

func TestOrphanDroppedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, Options{Create: true, NoSync: true, blockEntries: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Collect(sortedEntries(100, 1))
	importBytes(s, fullFile(t, 1, slices.Values(want)))
	// What a crash mid-import leaves: a half-written generation.
	gen, err := s.newGeneration()
	if err != nil {
		t.Fatal(err)
	}
	s.snapUpdate(func(tx *txT) error { return tx.Bucket(gen).Put([]byte("k"), []byte("v")) })
	s.Close()
	s, err = Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	assertOneGeneration(t, s)
	checkAll(t, s, want)
}

func TestWrongKindRefused(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	full := fullFile(t, 1, sortedEntries(10, 1))
	delta := deltaFile(t, 1, 2, nil, 10)
	open := func(b []byte) *wire.Reader {
		r, err := wire.Open(bytes.NewReader(b), hubPub)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if err := s.ImportFull(context.Background(), open(delta), nil); err == nil {
		t.Fatal("ImportFull took a delta")
	}
	if err := s.ApplyDelta(context.Background(), open(full), nil); err == nil {
		t.Fatal("ApplyDelta took a full snapshot")
	}
	if err := s.ImportFull(context.Background(), open(full), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyDelta(context.Background(), open(delta), nil); err != nil {
		t.Fatal(err)
	}
}

func TestProgress(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 7})
	const n = 20_000 // 2858 blocks: three transactions
	r, err := wire.Open(bytes.NewReader(fullFile(t, 1, sortedEntries(n, 1))), hubPub)
	if err != nil {
		t.Fatal(err)
	}
	var got []Progress
	if err := s.Import(context.Background(), r, func(p Progress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 {
		t.Fatalf("%d progress reports, want one per transaction", len(got))
	}
	for i, p := range got {
		if p.Total != n || p.TotalBytes != n*wire.EntrySize || p.Bytes != p.Entries*wire.EntrySize ||
			i > 0 && p.Entries < got[i-1].Entries {
			t.Fatalf("report %d: %+v", i, p)
		}
	}
	if last := got[len(got)-1]; last.Entries != n {
		t.Fatalf("last report %+v", last)
	}
}

// TestLookupAllocations guards the fast path: what allocates is bbolt's
// own read transaction and cursors, nothing of this package's.
func TestLookupAllocations(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	want := slices.Collect(sortedEntries(5000, 1))
	if err := importBytes(s, fullFile(t, 1, slices.Values(want))); err != nil {
		t.Fatal(err)
	}
	key := want[1234].Subject
	allocs := testing.AllocsPerRun(200, func() {
		if _, ok, _ := s.Lookup(key); !ok {
			t.Fatal("not found")
		}
	})
	// bbolt v1.5.0: the Tx, its meta and root copies, one bucket and the
	// cursors' stacks.
	if allocs > 8 {
		t.Fatalf("Lookup allocates %v times, want at most 8", allocs)
	}
}
