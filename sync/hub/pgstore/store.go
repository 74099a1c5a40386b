package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune a Store; zero values take the defaults.
type Options struct {
	// MaxConns is the pool size (default 16). Each hub instance holds up
	// to this many connections: size the server's max_connections for the
	// sum over instances.
	MaxConns int32
	// StatementTimeout bounds every statement on the server (default 30 s;
	// negative: none), so a stuck query frees its connection.
	StatementTimeout time.Duration
	// ConnectTimeout bounds one connection attempt (default 5 s).
	ConnectTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = 16
	}
	if o.StatementTimeout == 0 {
		o.StatementTimeout = 30 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	return o
}

// Store is the PostgreSQL hub.Storage.
type Store struct {
	pool *pgxpool.Pool
}

// Open returns a Store over the database at dsn. It does not wait for the
// database: a hub instance starts while the database is down, and every
// call fails (and is retried by its caller) until it is back.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	cfg.MaxConns = opts.MaxConns
	cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "doorcheck-hub"
	cfg.AfterConnect = prepareConn
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return &Store{pool: pool}, nil
}

// prepareConn makes the connection's ingest staging table: temporary, so
// it writes no WAL and each connection has its own, and emptied at every
// commit.
func prepareConn(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS visits_in (
		ord integer NOT NULL, id uuid NOT NULL, at timestamptz NOT NULL, at_ns smallint NOT NULL,
		day date NOT NULL, kiosk text NOT NULL, venue text NOT NULL, door text NOT NULL,
		direction smallint NOT NULL, kind smallint NOT NULL, subject bytea, status smallint NOT NULL,
		decision smallint NOT NULL, reasons text[] NOT NULL, snapshot_version bigint NOT NULL, undoes uuid
	) ON COMMIT DELETE ROWS`)
	return err
}

// Ping checks that the database answers (serve's health).
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Stat returns the pool's figures (for /metrics).
func (s *Store) Stat() *pgxpool.Stat { return s.pool.Stat() }

// Pool returns the connection pool (report queries, tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Store implements the hub storage interface.
var _ hub.Storage = (*Store)(nil)
