package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
)

// backends is the one table of storage backends the hub command's tests
// run on, with the same assertions: the embedded bbolt files and
// PostgreSQL (a fresh migrated database on the binary's shared server).
var backends = []string{"bbolt", "postgres"}

// forBackends runs test once per backend as subtests named after them.
// Every command of the test — in-process or a child hub — takes the
// backend from $DOORCHECK_HUB_DB: empty for bbolt, the database's DSN for
// PostgreSQL.
func forBackends(t *testing.T, test func(t *testing.T, backend string)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			useBackend(t, b)
			test(t, b)
		})
	}
}

// useBackend points the rest of a test at a fresh storage of a backend:
// for PostgreSQL a new migrated database.
func useBackend(t *testing.T, backend string) {
	t.Helper()
	t.Setenv(dbEnv, "")
	if backend == "postgres" {
		t.Setenv(dbEnv, pg.Database(t))
		mustRun(t, "migrate")
	}
}

// openTestStore opens the storage a test's hub used, for assertions
// after it stopped.
func openTestStore(t *testing.T, data string) hub.Storage {
	t.Helper()
	var st hub.Storage
	var err error
	if dsn := os.Getenv(dbEnv); dsn != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		st, err = pgstore.Open(ctx, dsn, pgstore.Options{})
	} else {
		st, err = boltstore.Open(data, boltstore.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
