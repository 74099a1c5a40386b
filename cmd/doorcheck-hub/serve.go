package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/hub/hubmetrics"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
)

// runServe serves the /v1 protocol until SIGTERM or SIGINT, then shuts down
// gracefully: no new connections, requests in flight get
// --shutdown-timeout to finish.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	data := fs.String("data", "", "hub data `directory` (required)")
	addr := fs.String("addr", "", "listen address `HOST:PORT` (required; port 0 picks a free one)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate `file` (PEM); with --tls-key")
	tlsKey := fs.String("tls-key", "", "TLS private key `file` (PEM); with --tls-cert")
	maxInFlight := fs.Int("max-in-flight", 512, "requests in flight before answering 503 overloaded")
	requestTimeout := fs.Duration("request-timeout", 15*time.Second, "time limit of an API request")
	idleWrite := fs.Duration("idle-write-timeout", 60*time.Second, "a file download must progress within this")
	maxHeader := fs.Int("max-header-bytes", 16<<10, "request header size limit")
	shutdownTimeout := fs.Duration("shutdown-timeout", 10*time.Second, "time requests in flight get to finish at shutdown")
	logFormat := fs.String("log-format", "json", "log `format` on stderr: json or text")
	sf := addStoreFlags(fs)
	artifactsFlag := addArtifactsFlag(fs)
	ahead := fs.Int("partitions-ahead", 7, "PostgreSQL: keep visit partitions made this many `days` ahead")
	retention := fs.Duration("retention", 0, "PostgreSQL: drop visit partitions older than this (0: keep all)")
	dbRetry := fs.Duration("db-retry-max", 30*time.Second, "PostgreSQL: longest wait between tries to reach the database at start")
	public := fs.Bool("public-snapshots", false, "serve the manifest and snapshot files without kiosk credentials (they carry the subject-hash key: only behind access control of your own)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *addr == "" || fs.NArg() != 0 {
		return usagef("want --data DIR --addr HOST:PORT and no arguments")
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	var handler slog.Handler
	switch *logFormat {
	case "json":
		handler = slog.NewJSONHandler(e.stderr, nil)
	case "text":
		handler = slog.NewTextHandler(e.stderr, nil)
	default:
		return usagef("--log-format must be json or text")
	}
	logger := slog.New(handler)

	d, keys, cfg, err := openData(*data)
	if err != nil {
		return err
	}
	artifacts := artifactsOf(*artifactsFlag, d)
	metrics := hubmetrics.New()
	var st hub.Storage
	var db *dbState
	if sf.postgres() {
		pst, err := pgstore.Open(ctx, *sf.db, sf.pgOptions())
		if err != nil {
			return err
		}
		defer pst.Close()
		st = pst
		db = &dbState{st: pst, logger: logger}
		// A database that is down does not stop the hub: it serves
		// unhealthy and comes up when the database does. A schema at the
		// wrong version does stop it (it needs an operator).
		if err := db.check(ctx); err != nil && (errors.Is(err, pgstore.ErrSchemaOld) || errors.Is(err, pgstore.ErrSchemaNew)) {
			return err
		}
		metrics.WatchPool(db.poolStats)
		bg, cancelBG := context.WithCancel(ctx)
		defer cancelBG()
		go db.keepUp(bg, *dbRetry, func(ctx context.Context) error {
			if err := hub.EnsureIndex(ctx, artifacts, st, keys, cfg, e.now()); err != nil {
				return fmt.Errorf("snapshot index: %w", err)
			}
			return pst.Maintain(ctx, e.now(), *ahead, *retention)
		})
	} else {
		bst, err := boltstore.Open(string(d), boltstore.Options{})
		if err != nil {
			return err
		}
		defer bst.Close()
		st = bst
		if err := hub.EnsureIndex(ctx, artifacts, st, keys, cfg, e.now()); err != nil {
			return fmt.Errorf("snapshot index: %w", err)
		}
	}
	srv := hub.NewServer(hub.ServerOptions{
		Data: d, Artifacts: artifacts, Storage: st, Keys: keys, Config: cfg, Logger: logger, Now: e.now,
		Observer: metrics, Metrics: metrics.Handler(), PublicSnapshots: *public,
		MaxInFlight: *maxInFlight, RequestTimeout: *requestTimeout, IdleWriteTimeout: *idleWrite, MaxHeaderBytes: *maxHeader,
	})
	metrics.WatchInFlight(srv.InFlight)
	metrics.WatchFleet(st)
	hs := srv.HTTPServer()
	if db != nil {
		hs.Handler = db.health(hs.Handler, e.now)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	// Record where kiosks find this hub, for enroll's default URL.
	if u := serveURL(scheme, *addr, ln.Addr()); u != cfg.URL {
		cfg.URL = u
		if err := d.SaveConfig(cfg); err != nil {
			logger.Warn("cannot record the hub URL in hub.json", "error", err.Error())
		}
	}
	// The first line on stdout is the address, for scripts and tests that
	// asked for port 0; hub.json has it by then.
	fmt.Fprintf(e.stdout, "listening on %s://%s\n", scheme, ln.Addr())
	logger.Info("serving", "addr", ln.Addr().String(), "tls", *tlsCert != "", "data", string(d))

	done := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			done <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			done <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("shutdown timeout: closing the connections left")
		err = hs.Close()
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	srv.Close(context.Background())
	logger.Info("stopped")
	return err
}
