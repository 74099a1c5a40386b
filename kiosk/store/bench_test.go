package store

import (
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"encoding/binary"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BenchmarkRecord is one durable visit record (fsync on) per iteration,
// interleaved with one raw durable write — pwrite of 200 bytes then
// fdatasync, on a file in the same directory — so both see the same disk
// weather.
//
//	go test ./kiosk/store -run '^$' -bench 'Record$' -benchtime 2000x -count 5
func BenchmarkRecord(b *testing.B) {
	dir := latency.BenchDir(b)
	s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	raw, err := os.Create(filepath.Join(dir, "raw-fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	payload := make([]byte, 200)
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	var lat, rawLat latency.Sample
	for i := 0; b.Loop(); i++ {
		at = at.Add(time.Millisecond)
		id, _ := NewVisitID(at, crand.Reader)
		v := Visit{ID: id, At: at, Day: "2026-11-24", Kiosk: "k", Venue: "v", Door: "d", Direction: sv.Entry,
			Subject: wire.SubjectKey{byte(i), byte(i >> 8), byte(i >> 16)}, Kind: sv.KindIIN, Status: "green", Verdict: VerdictAdmit}
		start := time.Now()
		if _, err := s.Record(ctx, v); err != nil {
			b.Fatal(err)
		}
		lat.Add(time.Since(start))

		start = time.Now()
		if _, err := raw.WriteAt(payload, int64(i*len(payload))); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(raw.Fd())); err != nil {
			b.Fatal(err)
		}
		rawLat.Add(time.Since(start))
	}
	latency.Report(b, &lat, &rawLat)
}

// BenchmarkLookup is one lookup of a present subject per iteration on a
// small store (200,000 entries), for allocations and a quick figure; the
// 20 M-entry figures are BenchmarkLargeStore's.
func BenchmarkLookup(b *testing.B) {
	const n = 200_000
	s, err := Open(filepath.Join(b.TempDir(), "k.db"), Options{Create: true, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := importBytes(s, fullFile(b, 1, sortedEntries(n, 5))); err != nil {
		b.Fatal(err)
	}
	var keys []wire.SubjectKey
	for e := range sortedEntries(n, 5) {
		keys = append(keys, e.Subject)
	}
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok, err := s.Lookup(keys[i%n]); !ok || err != nil {
			b.Fatal("present key not found", err)
		}
	}
}

// largeN is the size of the large-store benchmarks: 20 M unless
// $DOORCHECK_BENCH_ENTRIES says otherwise. They run only with
// DOORCHECK_BENCH_LARGE=1, so `go test ./...` stays fast.
func largeN(b *testing.B) int {
	if os.Getenv("DOORCHECK_BENCH_LARGE") == "" {
		b.Skip("set DOORCHECK_BENCH_LARGE=1 for the 20 M-entry benchmarks")
	}
	if n, err := strconv.Atoi(os.Getenv("DOORCHECK_BENCH_ENTRIES")); err == nil && n > 0 {
		return n
	}
	return 20_000_000
}

// BenchmarkLargeStore measures, on one store of 20 M generated entries:
// the full import beside a raw write+fsync of the same bytes in the same
// run, the file size, the heap during import, lookups of present and
// absent subjects, and a delta changing 1 % of entries.
//
//	DOORCHECK_BENCH_LARGE=1 go test ./kiosk/store -run '^$' -bench LargeStore -benchtime 1x -count 3 -timeout 30m
func BenchmarkLargeStore(b *testing.B) {
	n := largeN(b)
	dir := latency.BenchDir(b)
	snap := filepath.Join(dir, "full.snap")
	f, err := os.Create(snap)
	if err != nil {
		b.Fatal(err)
	}
	if err := wire.WriteFull(f, manifest(1), sortedEntries(n, 42), hubKey); err != nil {
		b.Fatal(err)
	}
	f.Close()
	rawBytes := int64(n) * wire.EntrySize

	for b.Loop() {
		// The previous iteration's store (2 × 440 MB after its delta) goes,
		// and the disk settles, before anything is timed.
		os.Remove(filepath.Join(dir, "k.db"))
		syscall.Sync()
		// The reference, in the same run and on the same disk: the faster
		// of a raw write just before and just after the import, so a
		// first-I/O-after-idle stall cannot flatter the ratio.
		rawBefore, err := latency.RawBulkWrite(dir, rawBytes)
		if err != nil {
			b.Fatal(err)
		}
		s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		heap := latency.WatchHeap()
		start := time.Now()
		if err := importFile(s, snap); err != nil {
			b.Fatal(err)
		}
		importTime := time.Since(start)
		peak := heap.End()
		info, _ := s.Info()
		rawAfter, err := latency.RawBulkWrite(dir, rawBytes)
		if err != nil {
			b.Fatal(err)
		}
		rawTime := min(rawBefore, rawAfter)

		// The first pass after an import meets every page of the 440 MB
		// mapping for the first time (a page fault each); the second pass
		// is the kiosk's steady state. The fault floor is the same first
		// touch of random pages through a mapping of our own, no bbolt.
		faults := firstTouchLatency(b, SnapshotPathFor(filepath.Join(dir, "k.db")))
		cold, _ := lookupLatency(b, s, n)
		present, absent := lookupLatency(b, s, n)

		delta, next := deltaOf(b, n, dir)
		runtime.GC()
		heap = latency.WatchHeap()
		start = time.Now()
		if err := importFile(s, delta); err != nil {
			b.Fatal(err)
		}
		deltaTime := time.Since(start)
		deltaPeak := heap.End()
		if m, _ := s.Current(); m.ResultEntries != uint64(next) {
			b.Fatalf("delta left %d entries, want %d", m.ResultEntries, next)
		}
		after, _ := s.Info()
		s.Close()

		b.ReportMetric(importTime.Seconds(), "import-s")
		b.ReportMetric(rawTime.Seconds(), "raw-write-fsync-s")
		b.ReportMetric(importTime.Seconds()/rawTime.Seconds(), "import/raw")
		b.ReportMetric(float64(info.FileSize)/float64(rawBytes), "file/raw-bytes")
		b.ReportMetric(float64(peak)/(1<<20), "heap-peak-MiB")
		b.ReportMetric(latency.Micros(present.Percentile(50)), "present-p50-µs")
		b.ReportMetric(latency.Micros(present.Percentile(99)), "present-p99-µs")
		b.ReportMetric(latency.Micros(cold.Percentile(50)), "first-touch-p50-µs")
		b.ReportMetric(latency.Micros(cold.Percentile(99)), "first-touch-p99-µs")
		b.ReportMetric(latency.Micros(faults.Percentile(99)), "page-fault-floor-p99-µs")
		b.ReportMetric(latency.Micros(absent.Percentile(50)), "absent-p50-µs")
		b.ReportMetric(latency.Micros(absent.Percentile(99)), "absent-p99-µs")
		b.ReportMetric(deltaTime.Seconds(), "delta-1%-s")
		b.ReportMetric(float64(deltaPeak)/(1<<20), "delta-heap-peak-MiB")
		b.ReportMetric(float64(after.FileSize)/float64(rawBytes), "file-after-delta/raw-bytes")
	}
}

func importFile(s *Store, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := wire.Open(f, hubKey.Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	return s.Import(context.Background(), r, nil)
}

// lookupLatency times 100 k lookups each of present and absent subjects.
func lookupLatency(b *testing.B, s *Store, n int) (present, absent *latency.Sample) {
	present, absent = &latency.Sample{}, &latency.Sample{}
	const probes = 100_000
	every := max(1, n/probes)
	var keys []wire.SubjectKey
	i := 0
	for e := range sortedEntries(n, 42) {
		if i%every == 0 {
			keys = append(keys, e.Subject)
		}
		i++
	}
	r := rand.New(rand.NewPCG(7, 7))
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, k := range keys {
		start := time.Now()
		_, ok, err := s.Lookup(k)
		present.Add(time.Since(start))
		if err != nil || !ok {
			b.Fatalf("present key not found: %v", err)
		}
		k[15] ^= 0xA5 // a neighbour that is not listed
		start = time.Now()
		_, ok, _ = s.Lookup(k)
		absent.Add(time.Since(start))
		if ok {
			b.Fatal("absent key found")
		}
	}
	return present, absent
}

// firstTouchLatency maps a file read-only and times the first read of
// 100 k random pages: the page-fault cost any first lookup after an
// import or a restart pays, whatever the store does.
func firstTouchLatency(b *testing.B, path string) *latency.Sample {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		b.Fatal(err)
	}
	defer syscall.Munmap(m)
	pages := len(m) / os.Getpagesize()
	r := rand.New(rand.NewPCG(9, 9))
	s := &latency.Sample{}
	var sink byte
	for range min(100_000, pages) {
		p := r.IntN(pages) * os.Getpagesize()
		start := time.Now()
		sink += m[p]
		s.Add(time.Since(start))
	}
	runtime.KeepAlive(sink)
	return s
}

// deltaOf writes a delta changing 1 % of entries (a third each changed,
// removed, added) and returns its path and the resulting entry count.
func deltaOf(b *testing.B, n int, dir string) (string, int) {
	changes := func(yield func(wire.Change) bool) {
		i := 0
		for e := range sortedEntries(n, 42) {
			if i%100 == 0 {
				var c wire.Change
				switch i / 100 % 3 {
				case 0:
					e.Status = wire.Status(1 + e.Status%3)
					c = wire.Change{Op: wire.OpPut, Entry: e}
				case 1:
					c = wire.Change{Op: wire.OpRemove, Entry: wire.Entry{Subject: e.Subject}}
				default:
					add := e
					binary.BigEndian.PutUint64(add.Subject[8:], binary.BigEndian.Uint64(e.Subject[8:])+1)
					if !yield(wire.Change{Op: wire.OpPut, Entry: e}) {
						return
					}
					c = wire.Change{Op: wire.OpPut, Entry: add}
				}
				if !yield(c) {
					return
				}
			}
			i++
		}
	}
	var removed, added int
	for i := 0; i < n; i += 100 {
		switch i / 100 % 3 {
		case 1:
			removed++
		case 2:
			added++
		}
	}
	result := n - removed + added
	m := manifest(2)
	m.BaseVersion, m.ResultEntries = 1, uint64(result)
	path := filepath.Join(dir, "delta.snap")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := wire.WriteDelta(f, m, iter.Seq[wire.Change](changes), hubKey); err != nil {
		b.Fatal(err)
	}
	return path, result
}

// BenchmarkStillAtPath is the identity check Record runs after each
// commit (one stat of the path, compared with the open file): its cost
// next to BenchmarkRecord's fdatasyncs.
//
//	go test ./kiosk/store -run '^$' -bench StillAtPath -count 3
func BenchmarkStillAtPath(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "k.db"), Options{Create: true, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if err := s.stillAtPath(); err != nil {
			b.Fatal(err)
		}
	}
}
