package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrationFiles are the schema's steps, one file each, named
// NNNN_what.sql; NNNN is the schema version the file brings the database
// to. A released file is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded steps in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3… without gaps", m.Name)
		}
	}
	return out, nil
}

// SchemaVersion is the version this binary's code expects.
func SchemaVersion() int {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Schema errors; match with errors.Is.
var (
	// ErrSchemaOld: the database is behind this binary (run migrate).
	ErrSchemaOld = errors.New("database schema is older than this hub: run doorcheck-hub migrate")
	// ErrSchemaNew: the database is ahead (an older binary after an
	// upgrade elsewhere): it must not write into a schema it does not know.
	ErrSchemaNew = errors.New("database schema is newer than this hub: upgrade this binary")
)

const versionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// migrateLock is the advisory lock key that serialises migrate runs: two
// hub instances upgraded at once must not both apply a step.
const migrateLock = 0x646f6f72636865 // "doorche"

// Migrate applies the steps the database lacks, each in its own
// transaction with its version row, and returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrateLock)); err != nil {
		return nil, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrateLock))
	if _, err := conn.Exec(ctx, versionTable); err != nil {
		return nil, err
	}
	current, err := currentVersion(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	if current > len(ms) {
		return nil, fmt.Errorf("database at version %d, this hub knows %d: %w", current, len(ms), ErrSchemaNew)
	}
	var applied []int
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// CheckSchema reports whether the database is at exactly this binary's
// schema version: serve checks and never migrates, so that an upgrade is
// an operator's decision, made once, not a race between instances.
func (s *Store) CheckSchema(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return err
	}
	current := 0
	if exists {
		if current, err = currentVersion(ctx, conn.Conn()); err != nil {
			return err
		}
	}
	want := SchemaVersion()
	switch {
	case current < want:
		return fmt.Errorf("database at version %d, want %d: %w", current, want, ErrSchemaOld)
	case current > want:
		return fmt.Errorf("database at version %d, want %d: %w", current, want, ErrSchemaNew)
	}
	return nil
}

func currentVersion(ctx context.Context, conn *pgx.Conn) (int, error) {
	var v int
	err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}
