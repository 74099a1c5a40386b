package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
)

// dbEnv names the environment variable that stands for --db, so that a
// DSN with a password need not appear in a process list.
const dbEnv = "DOORCHECK_HUB_DB"

// storeFlags select and tune the hub's storage backend; every command that
// touches hub data has them.
type storeFlags struct {
	db               *string
	maxConns         *int
	statementTimeout *time.Duration
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	return &storeFlags{
		db:               fs.String("db", os.Getenv(dbEnv), "PostgreSQL connection `DSN` (default $"+dbEnv+"); without it the bbolt files under --data"),
		maxConns:         fs.Int("db-max-conns", 16, "PostgreSQL connection pool size"),
		statementTimeout: fs.Duration("db-statement-timeout", 30*time.Second, "PostgreSQL statement time limit"),
	}
}

func (f *storeFlags) postgres() bool { return *f.db != "" }

func (f *storeFlags) pgOptions() pgstore.Options {
	return pgstore.Options{MaxConns: int32(*f.maxConns), StatementTimeout: *f.statementTimeout}
}

// openHubStore opens the storage a command works on: PostgreSQL when --db
// is given (its schema must be at this binary's version), else bbolt in
// the data directory. serve opens PostgreSQL itself (it must start while
// the database is down).
func openHubStore(ctx context.Context, f *storeFlags, d hub.DataDir, bolt boltstore.Options) (hub.Storage, error) {
	if !f.postgres() {
		return boltstore.Open(string(d), bolt)
	}
	st, err := pgstore.Open(ctx, *f.db, f.pgOptions())
	if err != nil {
		return nil, err
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return st, nil
}

// runMigrate brings the PostgreSQL schema to this binary's version and
// makes the visit partitions ahead.
func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate")
	sf := addStoreFlags(fs)
	ahead := fs.Int("partitions-ahead", 7, "make visit partitions for this many `days` ahead")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !sf.postgres() || fs.NArg() != 0 {
		return usagef("want --db DSN (or $%s) and no arguments", dbEnv)
	}
	st, err := pgstore.Open(ctx, *sf.db, sf.pgOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if err := st.Maintain(ctx, e.now(), *ahead, 0); err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "schema at version %d: nothing to apply\n", pgstore.SchemaVersion())
	} else {
		fmt.Fprintf(e.stdout, "applied migrations %v: schema at version %d\n", applied, pgstore.SchemaVersion())
	}
	return nil
}
