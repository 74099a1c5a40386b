package pgstore

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"

	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
)

var pg pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// open returns a migrated store on a fresh database.
func open(t testing.TB) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, pg.Database(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

var t0 = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

func rec(i int, at time.Time) visit.Record {
	var id visit.ID
	id[0], id[1], id[2], id[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
	id[6] = 0x70
	return visit.Record{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: "k", Venue: "v", Door: "d",
		Direction: visit.Entry, Kind: visit.KindIIN, Subject: visit.Subject{byte(i)}, Status: wire.Green, Decision: visit.Admit,
		Reasons: []reason.Code{"r1"}, SnapshotVersion: 3}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pg.Database(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckSchema(ctx); !errors.Is(err, ErrSchemaOld) {
		t.Fatalf("empty database: %v", err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil || len(applied) != SchemaVersion() {
		t.Fatalf("migrate: %v %v", applied, err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Migrate(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second migrate applies nothing: %v %v", again, err)
	}
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); !errors.Is(err, ErrSchemaNew) {
		t.Fatalf("newer database: %v", err)
	}
	if _, err := s.Migrate(ctx); !errors.Is(err, ErrSchemaNew) {
		t.Fatalf("migrate of a newer database: %v", err)
	}
}

// TestRoundTrip: a visit reads back exactly (nanoseconds, reasons, undo,
// a missing subject), and a batch holding one id twice stores it once.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	a := rec(1, t0.Add(123456789*time.Nanosecond))
	b := rec(2, t0.Add(time.Second))
	b.Subject, b.Decision, b.Undoes, b.Reasons = visit.Subject{}, visit.Undo, a.ID, nil
	res, err := s.IngestVisits(ctx, "k", []visit.Record{a, b, a})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].New || !res[1].New || res[2].New {
		t.Fatalf("results: %+v", res)
	}
	var got []visit.Record
	if err := s.Visits(ctx, t0, t0.Add(time.Hour), func(p []visit.Record) error { got = append(got, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	b.Reasons = []reason.Code{}
	if len(got) != 2 || !reflect.DeepEqual(got[0], a) || !reflect.DeepEqual(got[1], b) {
		t.Fatalf("read back:\n%+v\n%+v\nwant\n%+v\n%+v", got[0], got[1], a, b)
	}
	// A range starting between the microsecond and its nanoseconds.
	got = nil
	s.Visits(ctx, t0.Add(123456790*time.Nanosecond), t0.Add(time.Hour), func(p []visit.Record) error { got = append(got, p...); return nil })
	if len(got) != 1 || got[0].ID != b.ID {
		t.Fatalf("range from a nanosecond past a: %d visits", len(got))
	}
}

// TestPartitions: visits of days without a partition land in the default
// one; making the partition moves them; retention drops whole days.
func TestPartitions(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	var batch []visit.Record
	for i := range 5 {
		batch = append(batch, rec(i, t0.AddDate(0, 0, i-2)))
	}
	if _, err := s.IngestVisits(ctx, "k", batch); err != nil {
		t.Fatal(err)
	}
	count := func(table string) int {
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("visits_default"); n != 5 {
		t.Fatalf("default partition holds %d, want 5", n)
	}
	if err := s.Maintain(ctx, t0, 3, 0); err != nil {
		t.Fatal(err)
	}
	if n := count("visits_default"); n != 1 { // t0-2 days is before the made range
		t.Fatalf("after making partitions the default holds %d, want 1", n)
	}
	if n := count(partitionName(t0)); n != 1 {
		t.Fatalf("today's partition holds %d", n)
	}
	if made, err := s.EnsurePartitions(ctx, t0, t0.AddDate(0, 0, 3)); err != nil || len(made) != 0 {
		t.Fatalf("again: %v %v", made, err)
	}
	// Retention of one day at t0: everything before t0's day goes.
	dropped, err := s.DropPartitions(ctx, t0)
	if err != nil || len(dropped) != 1 || dropped[0] != partitionName(t0.AddDate(0, 0, -1)) {
		t.Fatalf("dropped %v %v", dropped, err)
	}
	if n := count("visits"); n != 3 {
		t.Fatalf("%d visits left, want 3", n)
	}
	// Duplicates are still recognised across the move.
	res, err := s.IngestVisits(ctx, "k", batch[2:])
	if err != nil || res[0].New || res[1].New || res[2].New {
		t.Fatalf("re-upload after partitioning: %+v %v", res, err)
	}
}
