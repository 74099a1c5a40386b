package hub_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
)

// pg is this test binary's PostgreSQL server, started by the first test
// that needs it and stopped by TestMain.
var pg pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// backends is the one table of storage backends the hub's tests run on:
// the same assertions for the embedded bbolt store and for PostgreSQL.
var backends = []string{"bbolt", "postgres"}

// openStorage opens a fresh storage of a backend for a data directory:
// bbolt's files in it, or a new migrated database on the shared server.
func openStorage(t *testing.T, backend string, d hub.DataDir) hub.Storage {
	t.Helper()
	var st hub.Storage
	switch backend {
	case "bbolt":
		s, err := boltstore.Open(string(d), boltstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st = s
	case "postgres":
		s := openPG(t, pg.Database(t))
		if _, err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		st = s
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openPG(t *testing.T, dsn string) *pgstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := pgstore.Open(ctx, dsn, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forBackends runs a test once per backend, as subtests named after them.
func forBackends(t *testing.T, test func(t *testing.T, backend string)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { test(t, b) })
	}
}
