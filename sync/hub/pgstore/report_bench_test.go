package pgstore

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// Report benchmark shape: the 30 days × 7,000 venues × 500 visits
// a day, or a fraction of the 500 (DOORCHECK_BENCH_REPORT_VISITS, a comma
// list of visits per venue and day, default "50,125": 1/10 and 1/4).
const (
	benchDays   = 30
	benchVenues = 7000
)

// benchBase is the first generated venue-local day; the report is of the
// last one.
var benchBase = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// genSQL fills one UTC day partition ($2, its first instant) with the
// generated visits of the venue-local days ($1 first day) that fall in
// it: $3 visits per venue and day, $4 venues, local time UTC+5
// (Kazakhstan), so a day's visits lie in two partitions as in the field.
// Every value is a function of (day, row) (hashint8 mixes them): no
// random source, the same rows at every run. Venue v%500=3 never scans, v%100=7 stops four days
// before the report day, v%100=8 two days before (k is the day number,
// 0 to benchDays-1 = 29).
const genSQL = `
INSERT INTO {partition} (id, at, at_ns, day, kiosk, venue, door, direction, kind, subject, status, decision, reasons, snapshot_version, undoes, conflict)
SELECT (lpad(to_hex(k + 4096), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
	at, 0, day, 'k-' || v || '-' || (g % 2), 'venue-' || lpad(v::text, 4, '0'),
	CASE WHEN g % 2 = 0 THEN 'north' ELSE 'south' END,
	CASE WHEN j % 5 < 3 THEN 1 ELSE 2 END, 2,
	CASE WHEN decision IN (3, 4) THEN NULL ELSE int8send(p) || int8send(p * 31 + 7) END,
	status, decision,
	CASE WHEN decision = 2 AND status = 1 THEN '{isolation}'::text[] WHEN decision = 2 AND status = 2 THEN '{contact}'
		WHEN decision = 2 THEN '{expired}' WHEN decision = 3 THEN '{bad_checksum}' ELSE '{}' END,
	1,
	CASE WHEN decision = 4 THEN (lpad(to_hex(k + 4096), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g - $4::int), 12, '0'))::uuid END,
	decision = 1 AND j % 5 < 3 AND r = 999
FROM generate_series(0, 29) k
CROSS JOIN LATERAL (SELECT $1::date + k AS day) d
CROSS JOIN LATERAL generate_series(0::bigint, $3::int * $4::int - 1) g
CROSS JOIN LATERAL (SELECT g % $4::int AS v, g / $4::int AS j, (hashint8(g * 64 + k)::bigint + 2147483648) % 1000 AS r,
	(hashint8(g * 64 + k + 32)::bigint + 2147483648) % 1000 AS r2, (hashint8(-g * 64 - k)::bigint + 2147483648) % 20000000 AS p) a
CROSS JOIN LATERAL (SELECT (d.day::timestamp AT TIME ZONE 'UTC') - interval '5 hours'
	+ make_interval(secs => (j * 86400.0 / $3::int + (v % 97) * (86400.0 / $3::int / 97))::float8) AS at,
	CASE WHEN r < 40 THEN 1 WHEN r < 100 THEN 2 WHEN r < 800 THEN 3 ELSE 0 END AS status) t
CROSS JOIN LATERAL (SELECT CASE WHEN r2 % 200 = 0 AND j > 0 THEN 4
	WHEN t.status IN (1, 2) THEN CASE WHEN r2 % 10 = 1 THEN 5 ELSE 2 END
	WHEN r2 % 25 = 1 THEN 3 WHEN r2 % 50 = 3 THEN 2 ELSE 1 END AS decision) c
WHERE d.day IN (($2::timestamptz AT TIME ZONE 'UTC')::date, ($2::timestamptz AT TIME ZONE 'UTC')::date + 1)
	AND t.at >= $2::timestamptz AND t.at < $2::timestamptz + interval '1 day'
	AND NOT (v % 500 = 3 OR (v % 100 = 7 AND k >= 26) OR (v % 100 = 8 AND k >= 28))`

// BenchmarkReportsLarge generates 30 days × 7,000 venues × N visits per
// venue and day server-side into the real partitioned schema (each day's
// partition loaded, then attached, which builds its indexes; then VACUUM
// ANALYZE, as autovacuum leaves a closed day), and times each report of
// the last day: the median of 5 runs after one warm-up. With
// DOORCHECK_BENCH_EXPLAIN=FILE it writes EXPLAIN (ANALYZE, BUFFERS) of
// every report query to FILE.
//
//	DOORCHECK_BENCH_LARGE=1 go test ./sync/hub/pgstore -run '^$' -bench ReportsLarge -benchtime 1x -timeout 120m
func BenchmarkReportsLarge(b *testing.B) {
	if os.Getenv("DOORCHECK_BENCH_LARGE") == "" {
		b.Skip("set DOORCHECK_BENCH_LARGE=1 (generates 10–26 M visits, ~4–11 GB)")
	}
	fractions := os.Getenv("DOORCHECK_BENCH_REPORT_VISITS")
	if fractions == "" {
		fractions = "50,125"
	}
	ctx := context.Background()
	c, err := pgtest.Start(ctx, pgtest.Options{Settings: map[string]string{
		"shared_buffers": "2GB", "effective_cache_size": "12GB", "work_mem": "64MB", "maintenance_work_mem": "1GB",
		"max_wal_size": "16GB", "checkpoint_timeout": "30min", "random_page_cost": "1.1", "jit": "off",
	}})
	pgtest.Check(b, err)
	defer c.Stop()
	for _, f := range strings.Split(fractions, ",") {
		perVenue, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || perVenue <= 0 {
			b.Fatalf("DOORCHECK_BENCH_REPORT_VISITS: %q", f)
		}
		b.Run(fmt.Sprintf("visits=%d", perVenue), func(b *testing.B) { benchReports(b, c, perVenue) })
	}
}

func benchReports(b *testing.B, c *pgtest.Cluster, perVenue int) {
	ctx := context.Background()
	dsn, err := c.CreateDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer c.DropDatabase(ctx, dsn)
	s, err := Open(ctx, dsn, Options{StatementTimeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	b.Logf("load before generating: %s", loadAverage())
	start := time.Now()
	// Kiosks: two doors per venue.
	if _, err := conn.Exec(ctx, `INSERT INTO kiosks (id, venue, door, direction, secret_hash, enrolled_at)
		SELECT 'k-' || v || '-' || d, 'venue-' || lpad(v::text, 4, '0'), CASE WHEN d = 0 THEN 'north' ELSE 'south' END, 1,
			decode(repeat('00', 32), 'hex'), $1::timestamptz - interval '30 days'
		FROM generate_series(0, $2 - 1) v, generate_series(0, 1) d`, benchBase, benchVenues); err != nil {
		b.Fatal(err)
	}
	// The UTC partitions holding the local days' visits (UTC+5: from the
	// day before the first).
	for u := benchBase.AddDate(0, 0, -1); u.Before(benchBase.AddDate(0, 0, benchDays)); u = u.AddDate(0, 0, 1) {
		name := pgx.Identifier{partitionName(u)}.Sanitize()
		lo, hi := u.Format(time.RFC3339), u.AddDate(0, 0, 1).Format(time.RFC3339)
		for _, q := range []string{
			"CREATE TABLE " + name + " (LIKE visits INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
			strings.Replace(genSQL, "{partition}", name, 1),
			"ALTER TABLE visits ATTACH PARTITION " + name + " FOR VALUES FROM ('" + lo + "') TO ('" + hi + "')",
		} {
			args := []any{}
			if strings.Contains(q, "$1") {
				args = []any{benchBase, u, perVenue, benchVenues}
			}
			if _, err := conn.Exec(ctx, q, args...); err != nil {
				b.Fatalf("partition %s: %v", name, err)
			}
		}
	}
	generated := time.Since(start)
	// Partitions ahead, as serve makes them.
	last := benchBase.AddDate(0, 0, benchDays-1)
	if _, err := s.EnsurePartitions(ctx, last, last.AddDate(0, 0, 7)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) visits"); err != nil {
		b.Fatal(err)
	}
	prepared := time.Since(start)
	var rows, heap, index int64
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM visits), sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid))
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'visits'::regclass`).Scan(&rows, &heap, &index); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d visits (%d per venue and day) in %.0f s, %.0f s with VACUUM ANALYZE; heap %d MB, indexes %d MB (%.0f bytes per visit); load %s",
		rows, perVenue, generated.Seconds(), prepared.Seconds(), heap>>20, index>>20, float64(heap+index)/float64(rows), loadAverage())
	b.ReportMetric(float64(rows), "visits")
	b.ReportMetric(float64(heap+index)/float64(rows), "bytes/visit")

	day := last.Format(time.DateOnly)
	w, err := hub.NewReportWindow(day)
	if err != nil {
		b.Fatal(err)
	}
	// The generated fleet's known answers: the report is not just fast.
	vds, err := s.ReportVenueDays(ctx, w)
	if err != nil {
		b.Fatal(err)
	}
	idle, err := s.ReportIdle(ctx, w)
	if err != nil {
		b.Fatal(err)
	}
	wantDays := benchVenues - benchVenues/500 - 2*benchVenues/100
	if len(vds) != wantDays || len(idle) != benchVenues/500+2*benchVenues/100 || idle[0].DaysIdle != 7 || idle[len(idle)-1].DaysIdle != 2 {
		b.Fatalf("report of %s: %d venue days (want %d), %d idle (%v…)", day, len(vds), wantDays, len(idle), idle[:min(3, len(idle))])
	}
	total := 0
	for _, vd := range vds {
		total += vd.Entries + vd.Exits + vd.Denied + vd.NotVerified + vd.Undos
	}
	b.Logf("report of %s: %d venues with visits, %d visits counted, %d idle", day, len(vds), total, len(idle))

	b.ResetTimer()
	for _, m := range []struct {
		name string
		fn   func() error
	}{
		{"venue-days", func() error { _, err := s.ReportVenueDays(ctx, w); return err }},
		{"idle", func() error { _, err := s.ReportIdle(ctx, w); return err }},
		{"discipline", func() error { _, _, err := s.ReportDiscipline(ctx, w); return err }},
		{"conflicts", func() error { _, err := s.ReportConflicts(ctx, w); return err }},
		{"report", func() error { _, err := hub.BuildReport(ctx, s, day); return err }},
	} {
		var ts []time.Duration
		for i := range 6 {
			t := time.Now()
			if err := m.fn(); err != nil {
				b.Fatalf("%s: %v", m.name, err)
			}
			if i > 0 { // the first run warms the cache
				ts = append(ts, time.Since(t))
			}
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		b.ReportMetric(ts[len(ts)/2].Seconds(), m.name+"-s")
		b.Logf("%s: median %.3f s of %v; load %s", m.name, ts[len(ts)/2].Seconds(), ts, loadAverage())
	}
	b.StopTimer()
	if path := os.Getenv("DOORCHECK_BENCH_EXPLAIN"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		fmt.Fprintf(f, "# %d visits, %d per venue and day, report of %s; load %s\n\n", rows, perVenue, day, loadAverage())
		for _, q := range ReportQueries() {
			r, err := s.reportQuery(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.SQL, q.Args(w))
			if err != nil {
				b.Fatal(err)
			}
			lines, err := pgx.CollectRows(r, pgx.RowTo[string])
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(f, "## %s\n\n%s\n\n", q.Name, strings.Join(lines, "\n"))
		}
	}
}

// loadAverage is the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}
