package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"iter"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/wire"
)

var (
	hubKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	hubPub = hubKey.Public().(ed25519.PublicKey)
)

// sortedEntries yields n entries in ascending key order without sorting:
// key i is a big-endian stride times i followed by pseudo-random bytes.
func sortedEntries(n int, seed uint64) iter.Seq[wire.Entry] {
	return func(yield func(wire.Entry) bool) {
		r := rand.New(rand.NewPCG(seed, seed))
		stride := ^uint64(0) / uint64(n+1)
		for i := 0; i < n; i++ {
			var e wire.Entry
			binary.BigEndian.PutUint64(e.Subject[:8], uint64(i+1)*stride)
			binary.BigEndian.PutUint64(e.Subject[8:], r.Uint64())
			e.Status = wire.Status(1 + r.IntN(3))
			e.Until = r.Uint32()
			if !yield(e) {
				return
			}
		}
	}
}

func manifest(version uint64) wire.Manifest {
	return wire.Manifest{Version: version, CreatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), SubjectHashKey: bytes.Repeat([]byte{1}, 32)}
}

func fullFile(t testing.TB, version uint64, entries iter.Seq[wire.Entry]) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := wire.WriteFull(&buf, manifest(version), entries, hubKey); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deltaFile(t testing.TB, base, version uint64, changes []wire.Change, result int) []byte {
	t.Helper()
	m := manifest(version)
	m.BaseVersion, m.ResultEntries = base, uint64(result)
	var buf bytes.Buffer
	if err := wire.WriteDelta(&buf, m, slices.Values(changes), hubKey); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openTest(t testing.TB, opt Options) *Store {
	t.Helper()
	opt.Create = true
	s, err := Open(filepath.Join(t.TempDir(), "k.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importBytes(s *Store, data []byte) error {
	r, err := wire.Open(bytes.NewReader(data), hubPub)
	if err != nil {
		return err
	}
	return s.Import(context.Background(), r, nil)
}

func checkAll(t *testing.T, s *Store, want []wire.Entry) {
	t.Helper()
	for _, e := range want {
		got, ok, err := s.Lookup(e.Subject)
		if err != nil || !ok || got != e {
			t.Fatalf("Lookup(%s) = %+v %v %v, want %+v", e.Subject.Masked(), got, ok, err, e)
		}
	}
	// Absent keys: just below, just above, between and beyond every entry.
	for _, e := range want {
		for _, d := range []int{-1, +1} {
			k := e.Subject
			k[15] += byte(d)
			if _, listed := slices.BinarySearchFunc(want, k, func(e wire.Entry, k wire.SubjectKey) int { return wire.CompareSubjects(e.Subject, k) }); listed {
				continue
			}
			if _, ok, _ := s.Lookup(k); ok {
				t.Fatalf("absent key %s found", k.Masked())
			}
		}
	}
	if _, ok, _ := s.Lookup(wire.SubjectKey{}); ok {
		t.Fatal("zero key found")
	}
	var top wire.SubjectKey
	for i := range top {
		top[i] = 0xff
	}
	if _, ok, _ := s.Lookup(top); ok {
		t.Fatal("max key found")
	}
}

func TestImportAndLookup(t *testing.T) {
	for _, n := range []int{0, 1, 6, 7, 8, 49, 50, 1000} {
		s := openTest(t, Options{NoSync: true, blockEntries: 7})
		want := slices.Collect(sortedEntries(n, uint64(n)))
		if err := importBytes(s, fullFile(t, 1, slices.Values(want))); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkAll(t, s, want)
		m, ok := s.Current()
		if !ok || m.Version != 1 || m.ResultEntries != uint64(n) {
			t.Fatalf("n=%d: current = %+v", n, m)
		}
	}
}

func TestNoSnapshot(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	if _, ok := s.Current(); ok {
		t.Fatal("fresh store has a snapshot")
	}
	if _, ok, err := s.Lookup(wire.SubjectKey{1}); ok || !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("lookup on empty store: %v %v, want ErrNoSnapshot", ok, err)
	}
}

func TestVersionRules(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 7})
	if err := importBytes(s, fullFile(t, 5, sortedEntries(20, 1))); err != nil {
		t.Fatal(err)
	}
	if err := importBytes(s, fullFile(t, 4, sortedEntries(20, 2))); !errors.Is(err, ErrRollback) {
		t.Fatalf("older full: %v", err)
	}
	if err := importBytes(s, fullFile(t, 5, sortedEntries(20, 2))); !errors.Is(err, ErrSameVersion) {
		t.Fatalf("same full: %v", err)
	}
	if err := importBytes(s, deltaFile(t, 4, 6, nil, 20)); !errors.Is(err, ErrBaseMismatch) {
		t.Fatalf("wrong base: %v", err)
	}
	if err := importBytes(s, deltaFile(t, 3, 5, nil, 20)); !errors.Is(err, ErrRollback) {
		t.Fatalf("delta to current version: %v", err)
	}
	empty := openTest(t, Options{NoSync: true})
	if err := importBytes(empty, deltaFile(t, 1, 2, nil, 0)); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("delta on empty: %v", err)
	}
}

func TestDeltaMatchesReference(t *testing.T) {
	for _, n := range []int{0, 10, 300, 2000} {
		s := openTest(t, Options{NoSync: true, blockEntries: 7})
		old := slices.Collect(sortedEntries(n, 7))
		if err := importBytes(s, fullFile(t, 1, slices.Values(old))); err != nil {
			t.Fatal(err)
		}
		next := mutate(old, 0.2, uint64(n))
		changes := slices.Collect(wire.Diff(slices.Values(old), slices.Values(next)))
		if err := importBytes(s, deltaFile(t, 1, 2, changes, len(next))); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkAll(t, s, next)
		for _, e := range old {
			if !slices.ContainsFunc(next, func(x wire.Entry) bool { return x.Subject == e.Subject }) {
				if _, ok, _ := s.Lookup(e.Subject); ok {
					t.Fatalf("removed subject still found")
				}
			}
		}
		if m, _ := s.Current(); m.Version != 2 {
			t.Fatalf("version %d after delta", m.Version)
		}
	}
}

// mutate removes, changes and adds about frac of entries.
func mutate(old []wire.Entry, frac float64, seed uint64) []wire.Entry {
	r := rand.New(rand.NewPCG(seed, 99))
	var next []wire.Entry
	for _, e := range old {
		switch x := r.Float64(); {
		case x < frac/3: // removed
		case x < 2*frac/3:
			e.Status = wire.Status(1 + (uint8(e.Status) % 3))
			next = append(next, e)
		case x < frac:
			next = append(next, e)
			n := e
			n.Subject[15]++ // a new neighbour
			next = append(next, n)
		default:
			next = append(next, e)
		}
	}
	for i := 0; i < 5; i++ {
		var e wire.Entry
		binary.BigEndian.PutUint64(e.Subject[:8], r.Uint64())
		e.Subject[15] = 1
		e.Status = wire.Green
		next = append(next, e)
	}
	slices.SortFunc(next, func(a, b wire.Entry) int { return wire.CompareSubjects(a.Subject, b.Subject) })
	return slices.CompactFunc(next, func(a, b wire.Entry) bool { return a.Subject == b.Subject })
}

func TestDeltaResultMismatchKeepsOld(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 7})
	old := slices.Collect(sortedEntries(100, 8))
	importBytes(s, fullFile(t, 1, slices.Values(old)))
	next := mutate(old, 0.3, 1)
	changes := slices.Collect(wire.Diff(slices.Values(old), slices.Values(next)))
	if err := importBytes(s, deltaFile(t, 1, 2, changes, len(next)+1)); !errors.Is(err, ErrResultMismatch) {
		t.Fatalf("err = %v", err)
	}
	checkAll(t, s, old)
	assertOneGeneration(t, s)
}

func TestCorruptBodyKeepsOld(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 7})
	old := slices.Collect(sortedEntries(100, 9))
	importBytes(s, fullFile(t, 1, slices.Values(old)))
	bad := fullFile(t, 2, sortedEntries(500, 10))
	bad[len(bad)-30] ^= 0x40
	if err := importBytes(s, bad); !errors.Is(err, wire.ErrContent) {
		t.Fatalf("err = %v", err)
	}
	checkAll(t, s, old)
	assertOneGeneration(t, s)
}

func TestCancelledImportKeepsOld(t *testing.T) {
	s := openTest(t, Options{NoSync: true, blockEntries: 7})
	old := slices.Collect(sortedEntries(50, 11))
	importBytes(s, fullFile(t, 1, slices.Values(old)))
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := wire.Open(bytes.NewReader(fullFile(t, 2, sortedEntries(20000, 12))), hubPub)
	err := s.Import(ctx, r, func(p Progress) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	checkAll(t, s, old)
	assertOneGeneration(t, s)
}

func assertOneGeneration(t *testing.T, s *Store) {
	t.Helper()
	if n := len(generations(t, s)); n != 1 {
		t.Fatalf("%d generations in the file, want 1", n)
	}
}

func generations(t *testing.T, s *Store) []string {
	t.Helper()
	var gens []string
	s.snapView(func(tx *txT) error {
		return tx.ForEach(func(name []byte, _ *bucketT) error {
			if isGeneration(name) {
				gens = append(gens, string(name))
			}
			return nil
		})
	})
	return gens
}

func TestReopenKeepsSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, Options{Create: true, NoSync: true, blockEntries: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Collect(sortedEntries(100, 13))
	importBytes(s, fullFile(t, 3, slices.Values(want)))
	s.Close()
	s, err = Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m, ok := s.Current(); !ok || m.Version != 3 {
		t.Fatalf("current after reopen: %+v", m)
	}
	checkAll(t, s, want)
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path, Options{Create: true, Timeout: 50 * time.Millisecond}); err == nil {
		t.Fatal("second open of a locked store succeeded")
	}
}

// allEntries reads every entry of the current generation, in order,
// verifying every block and the chain they form.
func allEntries(t *testing.T, s *Store) []wire.Entry {
	t.Helper()
	var out []wire.Entry
	m, _ := s.Current()
	err := s.snapView(func(tx *txT) error {
		gen := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent))
		return checkGeneration(tx.Bucket(gen), gen, m.ResultEntries, func(e wire.Entry) { out = append(out, e) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
