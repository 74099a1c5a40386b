package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Corruption tests damage the files — truncated, bytes flipped, before
// Open or underneath a running store — and check that the store returns
// errors (ErrCorrupt) instead of crashing. A fault bbolt takes on a
// damaged page is fatal to the whole process unless it is caught, so each
// scenario runs in a re-executed child: a crash fails the test with the
// child's output instead of killing the test binary.

const corruptEnv = "DOORCHECK_STORE_CORRUPT_CHILD"

// TestCorruptChild is the child's side: it runs the scenario named by
// $DOORCHECK_STORE_CORRUPT_CHILD as an ordinary test.
func TestCorruptChild(t *testing.T) {
	name := os.Getenv(corruptEnv)
	if name == "" {
		t.Skip("only runs as a corruption-test child")
	}
	scenario, ok := corruptScenarios[name]
	if !ok {
		t.Fatalf("unknown scenario %q", name)
	}
	scenario(t)
}

var corruptScenarios = map[string]func(t *testing.T){
	"truncate-visit-file":      truncateVisitFile,
	"truncate-snapshot-file":   truncateSnapshotFile,
	"flip-visits-page":         flipVisitsPage,
	"flip-visits-page-running": flipVisitsPageRunning,
	"truncate-running":         truncateRunning,
	"flip-every-page":          flipEveryPage,
}

func TestCorruptStoreNeverCrashes(t *testing.T) {
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range corruptScenarios {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCorruptChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), corruptEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child %s failed (%v):\n%s", name, err, tail(out, 4000))
			}
			for _, l := range strings.Split(string(out), "\n") {
				if strings.Contains(l, "outcome") {
					t.Log(strings.TrimSpace(l))
				}
			}
		})
	}
}

func tail(b []byte, n int) []byte { return b[max(0, len(b)-n):] }

// corruptFixture is a store with a snapshot and enough visits that the
// visits bucket has pages of its own.
type corruptFixture struct {
	path    string
	entries []wire.Entry
	at      time.Time
}

func newCorruptFixture(t *testing.T, visits int) corruptFixture {
	t.Helper()
	f := corruptFixture{path: filepath.Join(t.TempDir(), "k.db"), entries: slices.Collect(sortedEntries(5000, 31)),
		at: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	s, err := Open(f.path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := importBytes(s, fullFile(t, 1, slices.Values(f.entries))); err != nil {
		t.Fatal(err)
	}
	for i := range visits {
		if _, err := s.Record(context.Background(), f.visit(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *corruptFixture) visit(t *testing.T, i int) Visit {
	return visit(t, f.at.Add(time.Duration(i)*time.Second), "entry", VerdictAdmit, byte(i%250+1))
}

// exercise uses an open store the way a kiosk does; errors are fine, a
// crash is not. It returns what happened, for the log.
func (f *corruptFixture) exercise(t *testing.T, s *Store, i int) string {
	var lookupErr, recordErr error
	for j := 0; j < len(f.entries); j += 251 {
		if _, _, err := s.Lookup(f.entries[j].Subject); err != nil {
			lookupErr = err
		}
	}
	_, recordErr = s.Record(context.Background(), f.visit(t, 100_000+i))
	s.Recent(5)
	s.Counters(f.at.Format(time.DateOnly))
	s.PendingCount()
	s.Info()
	return fmt.Sprintf("lookup err %v, record err %v", lookupErr != nil, recordErr != nil)
}

// visitsPage returns the id of the visits bucket's root page and the
// page size.
func visitsPage(t *testing.T, path string) (pgid int64, pageSize int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		pgid = int64(tx.Bucket([]byte(bucketVisits)).RootPage())
		return nil
	})
	if pgid == 0 {
		t.Fatal("visits bucket is inline: record more visits")
	}
	return pgid, db.Info().PageSize
}

// writeAt writes b into the file at off.
func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// Truncated to 8192 bytes, the visit file's meta pages survive and say
// the file is longer: bbolt used to fault reading its freelist.
func truncateVisitFile(t *testing.T) {
	f := newCorruptFixture(t, 400)
	if err := os.Truncate(f.path, 8192); err != nil {
		t.Fatal(err)
	}
	s, err := Open(f.path, Options{NoSync: true})
	if !errors.Is(err, ErrCorrupt) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a truncated visit file: %v, want ErrCorrupt", err)
	}
	t.Logf("outcome: %v", err)
}

// A truncated snapshot file costs the snapshot, not the visits.
func truncateSnapshotFile(t *testing.T) {
	f := newCorruptFixture(t, 10)
	if err := os.Truncate(SnapshotPathFor(f.path), 8192); err != nil {
		t.Fatal(err)
	}
	s, err := Open(f.path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("Open with a truncated snapshot file: %v, want a store without snapshot", err)
	}
	defer s.Close()
	if err := s.SnapshotProblem(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("SnapshotProblem() = %v, want ErrCorrupt", err)
	}
	if _, ok := s.Current(); ok {
		t.Fatal("a snapshot is current from a truncated file")
	}
	if _, err := s.Record(context.Background(), f.visit(t, 1000)); err != nil {
		t.Fatalf("Record with a truncated snapshot file: %v", err)
	}
	t.Logf("outcome: %v", s.SnapshotProblem())
}

// One flipped byte in a visits page (its element count) used to panic
// inside Record on every check. Now Open finds it.
func flipVisitsPage(t *testing.T) {
	f := newCorruptFixture(t, 400)
	pgid, ps := visitsPage(t, f.path)
	writeAt(t, f.path, pgid*int64(ps)+10, []byte{0xff, 0x7f}) // page count
	s, err := Open(f.path, Options{NoSync: true})
	if err == nil {
		defer s.Close()
		if _, err := s.Record(context.Background(), f.visit(t, 1000)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Record on a damaged visits page: %v, want ErrCorrupt", err)
		}
		return
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a damaged visit file: %v, want ErrCorrupt", err)
	}
	t.Logf("outcome: %v", err)
}

// The same damage underneath a running store: Record fails with
// ErrCorrupt, the visit file is refused from then on, and lookups, in the
// other file, go on.
func flipVisitsPageRunning(t *testing.T) {
	f := newCorruptFixture(t, 400)
	pgid, ps := visitsPage(t, f.path)
	s, err := Open(f.path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeAt(t, f.path, pgid*int64(ps)+10, []byte{0xff, 0x7f})
	_, err = s.Record(context.Background(), f.visit(t, 1000))
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Record on a damaged visits page: %v, want ErrCorrupt", err)
	}
	t.Logf("outcome: %v", err)
	// Repair the byte: the store must still refuse, it cannot know what
	// bbolt's memory holds after the panic.
	if _, err := s.Record(context.Background(), f.visit(t, 1001)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("second Record after the panic: %v, want ErrCorrupt", err)
	}
	if _, ok, err := s.Lookup(f.entries[0].Subject); err != nil || !ok {
		t.Fatalf("Lookup after the visit file broke: %v %v", ok, err)
	}
}

// Files truncated underneath a running store: bbolt's map now reaches
// past the end of the file, and a read there is SIGBUS.
func truncateRunning(t *testing.T) {
	f := newCorruptFixture(t, 400)
	s, err := Open(f.path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Truncate(SnapshotPathFor(f.path), 8192); err != nil {
		t.Fatal(err)
	}
	var lookupErr error
	for _, e := range f.entries {
		if _, _, lookupErr = s.Lookup(e.Subject); lookupErr != nil {
			break
		}
	}
	if !errors.Is(lookupErr, ErrCorrupt) {
		t.Fatalf("Lookup in a snapshot file truncated underneath: %v, want ErrCorrupt", lookupErr)
	}
	if _, err := s.Record(context.Background(), f.visit(t, 1000)); err != nil {
		t.Fatalf("Record after the snapshot file broke: %v", err)
	}
	if err := os.Truncate(f.path, 8192); err != nil {
		t.Fatal(err)
	}
	var recordErr error
	for i := range 50 {
		if _, recordErr = s.Record(context.Background(), f.visit(t, 2000+i)); recordErr != nil {
			break
		}
	}
	if recordErr == nil {
		t.Fatal("50 visits recorded into a visit file truncated underneath")
	}
	t.Logf("outcome: lookup %v; record %v", lookupErr, recordErr)
}

// flipEveryPage flips random bits in every page of both files, one page
// at a time, and opens and uses the store each time. Errors are fine; the
// test is that nothing crashes (what a flip in a snapshot block does to a
// colour is the block checksum's business).
func flipEveryPage(t *testing.T) {
	f := newCorruptFixture(t, 150)
	rounds := 2 // DOORCHECK_FLIP_ROUNDS=N for a longer run
	if n, err := strconv.Atoi(os.Getenv("DOORCHECK_FLIP_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	rng := rand.New(rand.NewPCG(6, 6))
	orig := map[string][]byte{}
	for _, p := range []string{f.path, SnapshotPathFor(f.path)} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		orig[p] = b
	}
	outcomes := map[string]int{}
	const ps = 4096
	for _, p := range []string{f.path, SnapshotPathFor(f.path)} {
		used := usedPages(t, p)
		for page := range used * rounds {
			page %= used
			for _, off := range []int{rng.IntN(pageHeaderSize), pageHeaderSize + rng.IntN(64), rng.IntN(ps)} {
				// Open writes only the visit file (Record, bucket
				// creation): that one is restored whole, the snapshot
				// file by its byte.
				if err := os.WriteFile(f.path, orig[f.path], 0o600); err != nil {
					t.Fatal(err)
				}
				at := int64(page*ps + off)
				writeAt(t, p, at, []byte{orig[p][at] ^ 1<<rng.IntN(8)})
				if os.Getenv("DOORCHECK_FLIP_TRACE") != "" {
					fmt.Fprintf(os.Stderr, "flip %s page %d off %d\n", filepath.Base(p), page, off)
				}
				s, err := Open(f.path, Options{NoSync: true})
				if err != nil {
					outcomes[firstWords(err)]++
					if os.Getenv("DOORCHECK_FLIP_TRACE") != "" {
						fmt.Fprintf(os.Stderr, "  open: %v\n", err)
					}
					writeAt(t, p, at, orig[p][at:at+1])
					continue
				}
				o := f.exercise(t, s, page)
				outcomes[o]++
				cerr := s.Close()
				if os.Getenv("DOORCHECK_FLIP_TRACE") != "" {
					fmt.Fprintf(os.Stderr, "  %s; close %v; snapshot %v\n", o, cerr, s.SnapshotProblem())
				}
				writeAt(t, p, at, orig[p][at:at+1])
			}
		}
		writeAt(t, p, 0, orig[p])
	}
	t.Logf("outcome: %d flips: %v", sum(outcomes), outcomes)
}

func firstWords(err error) string {
	switch {
	case errors.Is(err, ErrCorrupt):
		return "open: corrupt"
	}
	return "open: " + err.Error()
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// usedPages is a bbolt file's high-water mark: the pages below it are the
// ones in use or free; the file may be longer.
func usedPages(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := readMeta(f)
	if err != nil {
		t.Fatal(err)
	}
	return int(m.highWater)
}
