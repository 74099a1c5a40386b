package hub_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
)

// BenchmarkImportLargePostgres is BenchmarkImportLarge with the
// PostgreSQL backend: the same two generated lists of
// DOORCHECK_BENCH_ROWS rows (default 20,000,000; the second 1 % changed),
// imported as version 1 (COPY straight into status_rows) and version 2
// (COPY into the staging table, the full-join delta, applied, all in one
// transaction), each with its snapshot files. The cluster is the
// benchmark's own, durable (fsync and synchronous_commit on),
// shared_buffers 128 MB, work_mem 4 MB (the defaults pgtest sets).
//
// It reports per import the time, the Go heap peak (latency.WatchHeap),
// the hub process's peak RSS (VmHWM, reset before each import), and the
// PostgreSQL server's: the largest peak RSS of one of its processes (the
// backend running the import; shared buffers it touched count in it) and
// the sum over all of them; then the size of status_rows with its index.
// Run it with BenchmarkImportLarge (bbolt), in the same run:
//
//	DOORCHECK_BENCH_LARGE=1 go test ./sync/hub -run '^$' -bench ImportLarge -benchtime 1x -count 3 -timeout 90m
func BenchmarkImportLargePostgres(b *testing.B) {
	if os.Getenv("DOORCHECK_BENCH_LARGE") == "" {
		b.Skip("set DOORCHECK_BENCH_LARGE=1 (writes ~1.2 GB of CSV and snapshots and ~3 GB of database)")
	}
	dir, first, next, _ := importBenchLists(b)
	ctx := context.Background()
	c, err := pgtest.Start(ctx, pgtest.Options{Durable: true})
	pgtest.Check(b, err)
	defer c.Stop()

	for b.Loop() {
		d := hub.DataDir(filepath.Join(dir, "hub"))
		os.RemoveAll(string(d))
		cfg := hub.Config{Deployment: "bench"}
		keys, err := hub.Keygen(d, cfg, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		dsn, err := c.CreateDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		st, err := pgstore.Open(ctx, dsn, pgstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		var pgData string
		if err := st.Pool().QueryRow(ctx, "SHOW data_directory").Scan(&pgData); err != nil {
			b.Fatal(err)
		}
		type figures struct {
			took                    time.Duration
			heap, rss, pgMax, pgSum int64
		}
		importOne := func(path string) (*hub.ImportResult, figures) {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			resetPeakRSS(b)
			pgProcs := serverProcesses(b, pgData)
			for _, pid := range pgProcs {
				os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0)
			}
			heap := latency.WatchHeap()
			start := time.Now()
			res, err := hub.Import(ctx, d, st, keys, cfg, bufio.NewReaderSize(f, 1<<20), hub.ImportOptions{})
			took := time.Since(start)
			peakHeap := heap.End()
			if err != nil {
				b.Fatal(err)
			}
			fig := figures{took: took, heap: int64(peakHeap), rss: peakRSS(b)}
			for _, pid := range serverProcesses(b, pgData) {
				hwm := procHWM(pid)
				fig.pgSum += hwm
				fig.pgMax = max(fig.pgMax, hwm)
			}
			return res, fig
		}
		_, v1 := importOne(first)
		res, v2 := importOne(next)
		var tableBytes int64
		if err := st.Pool().QueryRow(ctx, "SELECT pg_total_relation_size('status_rows')").Scan(&tableBytes); err != nil {
			b.Fatal(err)
		}
		latest, err := st.LatestSnapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
		if err := c.DropDatabase(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		raw, err := latency.RawBulkWrite(dir, latest.Full.Size)
		if err != nil {
			b.Fatal(err)
		}
		mib := func(n int64) float64 { return float64(n) / (1 << 20) }
		b.ReportMetric(v1.took.Seconds(), "import-s")
		b.ReportMetric(mib(v1.heap), "import-heap-MiB")
		b.ReportMetric(mib(v1.rss), "import-peak-rss-MiB")
		b.ReportMetric(mib(v1.pgMax), "import-pg-backend-rss-MiB")
		b.ReportMetric(mib(v1.pgSum), "import-pg-all-rss-MiB")
		b.ReportMetric(v2.took.Seconds(), "next-version-s")
		b.ReportMetric(mib(v2.heap), "next-heap-MiB")
		b.ReportMetric(mib(v2.rss), "next-peak-rss-MiB")
		b.ReportMetric(mib(v2.pgMax), "next-pg-backend-rss-MiB")
		b.ReportMetric(mib(v2.pgSum), "next-pg-all-rss-MiB")
		b.ReportMetric(float64(res.DeltaRecords), "delta-changes")
		b.ReportMetric(mib(tableBytes), "status-rows-MiB")
		b.ReportMetric(raw.Seconds(), "raw-write-fsync-full-s")
	}
}

// serverProcesses returns the pids of the cluster's postmaster and its
// children.
func serverProcesses(b *testing.B, dataDir string) []string {
	head, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		b.Fatal(err)
	}
	master, _, _ := strings.Cut(string(head), "\n")
	out := []string{master}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		_, rest, ok := strings.Cut(string(stat), ") ")
		if f := strings.Fields(rest); ok && len(f) > 1 && f[1] == master {
			out = append(out, e.Name())
		}
	}
	return out
}
