// Package latency collects latency samples for benchmarks and measures the
// reference they are compared with: one raw durable write on the same
// disk. Benchmarks report medians and tails beside that reference, because
// shared machines are noisy and only ratios from one run compare.
package latency

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Sample is a set of measured durations.
type Sample struct{ d []time.Duration }

// Add records one duration.
func (s *Sample) Add(d time.Duration) { s.d = append(s.d, d) }

// Len is the number of durations recorded.
func (s *Sample) Len() int { return len(s.d) }

// Percentile returns the p-th percentile (0 < p <= 100), nearest rank.
func (s *Sample) Percentile(p float64) time.Duration {
	if len(s.d) == 0 {
		return 0
	}
	sorted := slices.Clone(s.d)
	slices.Sort(sorted)
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Micros is d in microseconds, for b.ReportMetric.
func Micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// RawFsync measures n durable small writes in dir: a 200-byte pwrite then
// fdatasync, the least a durable append can cost on that disk.
func RawFsync(dir string, n int) (*Sample, error) {
	f, err := os.CreateTemp(dir, "raw-fsync-*")
	if err != nil {
		return nil, fmt.Errorf("raw fsync reference: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 200)
	var s Sample
	for i := 0; i < n; i++ {
		start := time.Now()
		if _, err := f.WriteAt(buf, int64(i*len(buf))); err != nil {
			return nil, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return nil, err
		}
		s.Add(time.Since(start))
	}
	return &s, nil
}

// RawBulkWrite measures writing size bytes to a new file in dir in 1 MiB
// writes, then one fsync: the floor for importing that many bytes.
func RawBulkWrite(dir string, size int64) (time.Duration, error) {
	path := filepath.Join(dir, "raw-bulk")
	defer os.Remove(path)
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	start := time.Now()
	for written := int64(0); written < size; {
		n := min(int64(len(buf)), size-written)
		if _, err := f.Write(buf[:n]); err != nil {
			return 0, err
		}
		written += n
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// BenchDir returns the directory a durable benchmark writes in:
// a fresh directory under $DOORCHECK_BENCH_DIR (to measure a particular
// disk), or a temporary one.
func BenchDir(tb testing.TB) string {
	if d := os.Getenv("DOORCHECK_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "bench-*")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return tb.TempDir()
}

// BenchRows is how many subjects a large benchmark generates:
// $DOORCHECK_BENCH_ROWS, or 20,000,000 (the national scale the figures
// are quoted at).
func BenchRows(tb testing.TB) int {
	s := os.Getenv("DOORCHECK_BENCH_ROWS")
	if s == "" {
		return 20_000_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		tb.Fatalf("DOORCHECK_BENCH_ROWS=%q: want a positive integer", s)
	}
	return n
}

// Report adds a sample's median and tail, the raw fsync reference's, and
// their ratio to a benchmark's output.
func Report(b *testing.B, s, rawFsync *Sample) {
	b.ReportMetric(Micros(s.Percentile(50)), "p50-µs")
	b.ReportMetric(Micros(s.Percentile(99)), "p99-µs")
	b.ReportMetric(Micros(rawFsync.Percentile(50)), "fsync-p50-µs")
	b.ReportMetric(Micros(rawFsync.Percentile(99)), "fsync-p99-µs")
	b.ReportMetric(float64(s.Percentile(50))/float64(rawFsync.Percentile(50)), "p50/fsync")
}
