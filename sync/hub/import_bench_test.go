package hub_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/snapgen"
)

// BenchmarkImportLarge imports a status list of DOORCHECK_BENCH_ROWS rows
// (default 20,000,000; snapgen.WriteStatusCSV) as a first version, then
// the same list with 1 % of the rows changed as the next one, and reports each import's time, the
// process's peak resident memory during it (VmHWM, reset before each
// import), and the delta's size. The CSV files are written untimed first.
// The reference in the same run is a raw write + fsync of as many bytes as
// the full snapshot file, on the same disk.
//
//	DOORCHECK_BENCH_LARGE=1 go test ./sync/hub -run '^$' -bench ImportLarge -benchtime 1x -count 3 -timeout 60m
//
// importBenchLists writes, untimed, the two generated status lists the
// large import benchmarks take (DOORCHECK_BENCH_ROWS rows, default
// 20,000,000; the second with 1 % of the rows changed) into a fresh
// benchmark directory, and returns the directory, the two files and the
// row count.
func importBenchLists(b *testing.B) (dir, first, next string, rows int) {
	rows = latency.BenchRows(b)
	dir = latency.BenchDir(b)
	first = filepath.Join(dir, "v1.csv")
	next = filepath.Join(dir, "v2.csv")
	writeStatusCSV(b, first, rows, false)
	writeStatusCSV(b, next, rows, true)
	return dir, first, next, rows
}

func BenchmarkImportLarge(b *testing.B) {
	if os.Getenv("DOORCHECK_BENCH_LARGE") == "" {
		b.Skip("set DOORCHECK_BENCH_LARGE=1 (writes ~1.2 GB of CSV and snapshots)")
	}
	dir, first, next, rows := importBenchLists(b)
	ctx := context.Background()

	for b.Loop() {
		d := hub.DataDir(filepath.Join(dir, "hub"))
		os.RemoveAll(string(d))
		keys, err := hub.Keygen(d, hub.Config{Deployment: "bench"}, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		st, err := boltstore.Open(string(d), boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		importOne := func(path string) (*hub.ImportResult, time.Duration, int64) {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			resetPeakRSS(b)
			start := time.Now()
			res, err := hub.Import(ctx, d, st, keys, hub.Config{Deployment: "bench"}, bufio.NewReaderSize(f, 1<<20), hub.ImportOptions{})
			if err != nil {
				b.Fatal(err)
			}
			return res, time.Since(start), peakRSS(b)
		}
		_, fullTime, fullRSS := importOne(first)
		res, deltaTime, deltaRSS := importOne(next)
		latest, err := st.LatestSnapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
		raw, err := latency.RawBulkWrite(dir, latest.Full.Size)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(fullTime.Seconds(), "import-s")
		b.ReportMetric(float64(fullRSS)/(1<<20), "import-peak-rss-MiB")
		b.ReportMetric(deltaTime.Seconds(), "next-version-s")
		b.ReportMetric(float64(deltaRSS)/(1<<20), "next-peak-rss-MiB")
		b.ReportMetric(float64(res.DeltaRecords), "delta-changes")
		b.ReportMetric(float64(latest.Delta.Size)/float64(max(1, res.DeltaRecords)), "delta-bytes/change")
		b.ReportMetric(float64(latest.Transfer.Size)/float64(rows), "transfer-bytes/subject")
		b.ReportMetric(raw.Seconds(), "raw-write-fsync-full-s")
	}
}

// writeStatusCSV writes snapgen's status list (seed 7) to path.
func writeStatusCSV(b *testing.B, path string, rows int, changed bool) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := snapgen.WriteStatusCSV(f, 7, rows, changed); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// resetPeakRSS resets the kernel's resident-set high-water mark for this
// process (Linux: "5" to /proc/self/clear_refs).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS here: %v", err)
	}
}

// procHWM is a process's VmHWM in bytes (0 when it is gone).
func procHWM(pid string) int64 {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// peakRSS is this process's VmHWM, in bytes (procHWM).
func peakRSS(b *testing.B) int64 {
	n := procHWM("self")
	if n == 0 {
		b.Fatal("no VmHWM in /proc/self/status")
	}
	return n
}
