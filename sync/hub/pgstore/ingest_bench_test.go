package pgstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/jackc/pgx/v5"
)

// BenchmarkIngest: 8 kiosks (goroutines) ingest 500-visit batches through
// two Stores (two hub instances' pools) on one durable server (fsync and
// synchronous_commit on), beside the raw COPY of the same rows into an
// unindexed table in the same run (raw-copy/s).
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	c, err := pgtest.Start(ctx, pgtest.Options{Durable: true})
	pgtest.Check(b, err)
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var stores [2]*Store
	for i := range stores {
		if stores[i], err = Open(ctx, dsn, Options{MaxConns: 8}); err != nil {
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
	const kiosks, batch = 8, 500
	n := 0
	mk := func(k int) []visit.Record {
		out := make([]visit.Record, batch)
		for j := range out {
			n++
			r := rec(n, now.Add(time.Duration(n)*time.Microsecond))
			r.Kiosk, r.Venue, r.Door = fmt.Sprintf("k%d", k), fmt.Sprintf("venue-%d", k), "north"
			r.Subject = visit.Subject{byte(n), byte(n >> 8), byte(n >> 16)}
			out[j] = r
		}
		return out
	}
	var all [][]visit.Record
	perKiosk := make([][][]visit.Record, kiosks)
	for k := range kiosks {
		for range b.N {
			perKiosk[k] = append(perKiosk[k], mk(k))
		}
		all = append(all, perKiosk[k]...)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for k, bs := range perKiosk {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, v := range bs {
				if _, err := stores[k%2].IngestVisits(ctx, "k", v); err != nil {
					mu.Lock()
					b.Error(err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	total := float64(kiosks * batch * b.N)
	b.ReportMetric(total/el.Seconds(), "visits/s")
	// Raw COPY of the same rows into an unindexed plain table.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE raw (LIKE visits_default INCLUDING DEFAULTS)"); err != nil {
		b.Fatal(err)
	}
	cols := []string{"id", "at", "at_ns", "day", "kiosk", "venue", "door", "direction", "kind", "subject", "status", "decision", "reasons", "snapshot_version"}
	start = time.Now()
	for _, v := range all {
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"raw"}, cols, pgx.CopyFromSlice(len(v), func(i int) ([]any, error) {
			r := v[i]
			at, ns := splitTime(r.At)
			day, _ := time.Parse(time.DateOnly, r.Day)
			return []any{[16]byte(r.ID), at, ns, day, r.Kiosk, r.Venue, r.Door, int16(r.Direction), int16(r.Kind), r.Subject[:], int16(r.Status), int16(r.Decision), []string{}, int64(r.SnapshotVersion)}, nil
		}))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(total/time.Since(start).Seconds(), "raw-copy/s")
}
