package storagetest_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
	"github.com/doorcheck/doorcheck/sync/hub/storagetest"
)

var pg pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// TestBackends runs the one suite against every backend: the embedded
// bbolt store and PostgreSQL (a fresh, migrated database per case).
func TestBackends(t *testing.T) {
	for _, b := range []struct {
		name string
		open storagetest.Open
	}{
		{"bbolt", func(t *testing.T) hub.Storage {
			s, err := boltstore.Open(t.TempDir(), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgres", func(t *testing.T) hub.Storage {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := pgstore.Open(ctx, pg.Database(t), pgstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Migrate(ctx); err != nil {
				s.Close()
				t.Fatal(err)
			}
			return s
		}},
	} {
		t.Run(b.name, func(t *testing.T) { storagetest.Run(t, b.open) })
	}
}
