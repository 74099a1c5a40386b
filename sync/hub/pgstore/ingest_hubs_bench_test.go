package pgstore_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Shape of BenchmarkIngestHubs: what the kiosk sync client sends.
const (
	benchKiosks   = 8
	benchBatch    = protocol.MaxBatchVisits // sync/client's DefaultBatch
	benchParallel = 4                       // sync/client.Parallel: batches in flight per kiosk
	benchConns    = 16                      // each hub instance's pool (pgstore's default)
)

// benchSettings are the server settings of the benchmark's cluster, on top
// of pgtest's (shared_buffers 128MB, max_connections 200). fsync,
// synchronous_commit and full_page_writes stay on (Durable). No checkpoint
// falls inside a run (max_wal_size, checkpoint_timeout); DOORCHECK_PG_BENCH
// adds name=value,name=value (e.g. commit_delay=200,commit_siblings=4).
func benchSettings(b *testing.B) map[string]string {
	s := map[string]string{
		"shared_buffers":     "512MB",
		"wal_buffers":        "64MB",
		"max_wal_size":       "8GB",
		"checkpoint_timeout": "30min",
		"synchronous_commit": "on",
	}
	if extra := os.Getenv("DOORCHECK_PG_BENCH"); extra != "" {
		for _, kv := range strings.Split(extra, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				b.Fatalf("DOORCHECK_PG_BENCH: %q is not name=value", kv)
			}
			s[k] = v
		}
	}
	return s
}

// BenchmarkIngestHubs is the ingest figure: 8 kiosks upload to two
// hub instances (two real hub.Servers on loopback HTTP, each with its own
// pgstore pool, one database) on a durable cluster (fsync and
// synchronous_commit on). Each kiosk sends what sync/client sends: batches
// of protocol.MaxBatchVisits new visits as gzip JSON, client.Parallel
// batches in flight at once, kiosk k to hub k%2; every batch is answered
// only after its commit. b.N is the batches per kiosk. The bodies are
// encoded before the clock starts (on a kiosk that is the kiosk's CPU, not
// the hub's).
//
// In the same run, the same rows go into an unindexed plain table by raw
// binary COPY, the references the ingest is compared with: raw-copy/s with
// the same batches and commit pattern (one COPY and one commit per batch,
// the same concurrency over the same number of connections) and
// raw-1copy/s, all rows in one COPY and one commit (the ceiling).
//
// go-µs/visit and pg-µs/visit are the CPU time the ingest cost: this
// process (both hubs and the 8 HTTP clients) and the PostgreSQL cluster
// (every server process); on two cores their sum bounds the rate at
// 2e6/(go+pg) visits/s, whatever the disk does.
func BenchmarkIngestHubs(b *testing.B) {
	ctx := context.Background()
	c, err := pgtest.Start(ctx, pgtest.Options{Durable: true, Settings: benchSettings(b)})
	pgtest.Check(b, err)
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var stores [2]*pgstore.Store
	for i := range stores {
		if stores[i], err = pgstore.Open(ctx, dsn, pgstore.Options{MaxConns: benchConns}); err != nil {
			b.Fatal(err)
		}
		defer stores[i].Close()
	}
	if _, err := stores[0].Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	if err := stores[0].Maintain(ctx, now, 2, 0); err != nil {
		b.Fatal(err)
	}

	// Two hub instances sharing the data directory (keys) and the database.
	d := hub.DataDir(b.TempDir())
	keys, err := hub.Keygen(d, hub.Config{Deployment: "bench"}, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	var urls [2]string
	for i, st := range stores {
		srv := hub.NewServer(hub.ServerOptions{Data: d, Storage: st, Keys: keys})
		hs := srv.HTTPServer()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go hs.Serve(ln)
		defer srv.Close(ctx)
		defer hs.Close()
		urls[i] = "http://" + ln.Addr().String() + protocol.VisitsPath
	}

	// Kiosk k: venue-k, door north, enrolled through hub k%2's store.
	type kiosk struct {
		id, cred string
		bodies   [][]byte
		records  [][]visit.Record
	}
	kiosks := make([]kiosk, benchKiosks)
	for k := range kiosks {
		tok := []byte(fmt.Sprintf("token-%d", k))
		st := stores[k%2]
		venue := fmt.Sprintf("venue-%d", k)
		if err := st.CreateEnrollment(ctx, hub.Enrollment{Token: hub.HashToken(tok), Venue: venue, Door: "north", Direction: visit.Entry, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		secret := []byte(fmt.Sprintf("secret-%d", k))
		kr, err := st.RedeemEnrollment(ctx, hub.HashToken(tok), hub.Kiosk{ID: fmt.Sprintf("k-%d", k), SecretHash: sha256.Sum256(secret), EnrolledAt: now})
		if err != nil {
			b.Fatal(err)
		}
		kiosks[k].id, kiosks[k].cred = kr.ID, protocol.Credential(kr.ID, secret)
	}
	seq := 0
	var all [][]visit.Record
	for k := range kiosks {
		for range b.N {
			vs := make([]visit.Record, benchBatch)
			for j := range vs {
				seq++
				vs[j] = benchVisit(seq, now.Add(time.Duration(seq)*time.Millisecond), kiosks[k].id, fmt.Sprintf("venue-%d", k))
			}
			kiosks[k].records = append(kiosks[k].records, vs)
			kiosks[k].bodies = append(kiosks[k].bodies, gzipJSON(b, protocol.UploadRequest{Format: visit.Format, Visits: vs, SnapshotVersion: 1}))
			all = append(all, vs)
		}
	}
	total := float64(benchKiosks * benchBatch * b.N)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchKiosks * benchParallel}, Timeout: time.Minute}
	pgCPU := clusterCPU(b, dsn)
	// With DOORCHECK_PG_BENCH=shared_preload_libraries=pg_stat_statements
	// the run logs where the server's time went, statement by statement.
	var preload string
	if err := stores[0].Pool().QueryRow(ctx, "SHOW shared_preload_libraries").Scan(&preload); err != nil {
		b.Fatal(err)
	}
	statements := strings.Contains(preload, "pg_stat_statements")
	if statements {
		if _, err := stores[0].Pool().Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()"); err != nil {
			b.Fatal(err)
		}
	}

	runtime.GC()
	b.ResetTimer()
	goBefore, pgBefore := processCPU(), pgCPU()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, benchKiosks*benchParallel)
	for k := range kiosks {
		next := make(chan []byte)
		go func() {
			for _, body := range kiosks[k].bodies {
				next <- body
			}
			close(next)
		}()
		for range benchParallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for body := range next {
					if err := upload(ctx, client, urls[k%2], kiosks[k].cred, body); err != nil {
						errs <- err
						for range next {
						}
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	el := time.Since(start)
	goUsed, pgUsed := processCPU()-goBefore, pgCPU()-pgBefore
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var stored int
	if err := stores[0].Pool().QueryRow(ctx, "SELECT count(*) FROM visits").Scan(&stored); err != nil || stored != int(total) {
		b.Fatalf("stored %d visits of %d (%v)", stored, int(total), err)
	}
	b.ReportMetric(total/el.Seconds(), "visits/s")
	b.ReportMetric(float64(goUsed.Microseconds())/total, "go-µs/visit")
	b.ReportMetric(float64(pgUsed.Microseconds())/total, "pg-µs/visit")
	if statements {
		// Grouped by text: each connection's staging table is its own
		// relation, so each has its own entry.
		rows, err := stores[0].Pool().Query(ctx, `SELECT sum(calls)::bigint, sum(total_exec_time), q FROM (
			SELECT calls, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 60) AS q FROM pg_stat_statements) s
			GROUP BY q ORDER BY 2 DESC LIMIT 8`)
		if err != nil {
			b.Fatal(err)
		}
		var calls int64
		var ms float64
		var query string
		_, err = pgx.ForEachRow(rows, []any{&calls, &ms, &query}, func() error {
			b.Logf("%6d calls %7.2f µs/visit (server time, waits included)  %s", calls, ms*1000/total, query)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}

	// The references: raw COPY of the same rows into an unindexed table.
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "CREATE TABLE raw (LIKE visits_default INCLUDING DEFAULTS)"); err != nil {
		b.Fatal(err)
	}
	pool.Close()
	cfg, _ := pgxpool.ParseConfig(dsn)
	cfg.MaxConns = 2 * benchConns
	if pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	rawBatches := make(chan []visit.Record)
	go func() {
		for _, vs := range all {
			rawBatches <- vs
		}
		close(rawBatches)
	}()
	pgBefore = pgCPU()
	start = time.Now()
	for range benchKiosks * benchParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for vs := range rawBatches {
				if _, err := pool.CopyFrom(ctx, pgx.Identifier{"raw"}, rawColumns, rawRows(vs)); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(total/time.Since(start).Seconds(), "raw-copy/s")
	b.ReportMetric(float64((pgCPU()-pgBefore).Microseconds())/total, "raw-pg-µs/row")
	start = time.Now()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var flat []visit.Record
		for _, vs := range all {
			flat = append(flat, vs...)
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"raw"}, rawColumns, rawRows(flat))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(total/time.Since(start).Seconds(), "raw-1copy/s")
	if fs, err := latency.RawFsync(os.TempDir(), 200); err == nil {
		b.ReportMetric(latency.Micros(fs.Percentile(50)), "fsync-p50-µs")
	}
}

func benchVisit(n int, at time.Time, kiosk, venue string) visit.Record {
	var id visit.ID // time-ordered like the kiosk's UUIDv7 ids
	ms := uint64(at.UnixMilli())
	for x := 0; x < 6; x++ {
		id[x] = byte(ms >> (40 - 8*x))
	}
	id[6], id[8] = 0x70, 0x80
	for x := 0; x < 7; x++ {
		id[9+x] = byte(n >> (8 * x))
	}
	var s visit.Subject
	h := sha256.Sum256([]byte(strconv.Itoa(n)))
	copy(s[:], h[:])
	return visit.Record{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: kiosk, Venue: venue, Door: "north",
		Direction: visit.Entry, Kind: visit.KindIIN, Subject: s, Status: wire.Green, Decision: visit.Admit,
		SnapshotVersion: 1}
}

func gzipJSON(b *testing.B, v any) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts one batch as sync/client does and checks every visit is new.
func upload(ctx context.Context, client *http.Client, url, cred string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+cred)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		return fmt.Errorf("upload: %s: %s", resp.Status, msg)
	}
	var ans protocol.UploadResponse
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return err
	}
	if len(ans.Results) != benchBatch {
		return fmt.Errorf("upload: %d results", len(ans.Results))
	}
	for _, r := range ans.Results {
		if r.Result != protocol.ResultNew {
			return fmt.Errorf("upload: visit %s %s", r.ID, r.Result)
		}
	}
	return nil
}

var rawColumns = []string{"id", "at", "at_ns", "day", "kiosk", "venue", "door", "direction", "kind", "subject", "status", "decision", "reasons", "snapshot_version"}

func rawRows(vs []visit.Record) pgx.CopyFromSource {
	return pgx.CopyFromSlice(len(vs), func(i int) ([]any, error) {
		r := vs[i]
		at := r.At.Truncate(time.Microsecond)
		day, err := time.Parse(time.DateOnly, r.Day)
		if err != nil {
			return nil, err
		}
		return []any{[16]byte(r.ID), at, int16(r.At.Sub(at)), day, r.Kiosk, r.Venue, r.Door, int16(r.Direction), int16(r.Kind),
			r.Subject[:], int16(r.Status), int16(r.Decision), []string{}, int64(r.SnapshotVersion)}, nil
	})
}

// processCPU is this process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clusterCPU returns a function reading the CPU time of the cluster at
// dsn: its postmaster's own and reaped children's, and every live child's
// (from /proc; Linux only, zero elsewhere).
func clusterCPU(b *testing.B, dsn string) func() time.Duration {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	var backend int
	if err := conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		b.Fatal(err)
	}
	st, ok := procStat(backend)
	if !ok {
		return func() time.Duration { return 0 }
	}
	postmaster := int(st.ppid)
	const tick = 10 * time.Millisecond // USER_HZ 100
	return func() time.Duration {
		pm, _ := procStat(postmaster)
		sum := pm.utime + pm.stime + pm.cutime + pm.cstime
		dirs, _ := os.ReadDir("/proc")
		for _, e := range dirs {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if s, ok := procStat(pid); ok && int(s.ppid) == postmaster {
				sum += s.utime + s.stime
			}
		}
		return time.Duration(sum) * tick
	}
}

type stat struct{ ppid, utime, stime, cutime, cstime int64 }

func procStat(pid int) (stat, bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, false
	}
	// Fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 15 {
		return stat{}, false
	}
	num := func(j int) int64 { n, _ := strconv.ParseInt(f[j], 10, 64); return n }
	// f[0] is field 3 (state): ppid is field 4, utime..cstime 14..17.
	return stat{ppid: num(1), utime: num(11), stime: num(12), cutime: num(13), cstime: num(14)}, true
}
