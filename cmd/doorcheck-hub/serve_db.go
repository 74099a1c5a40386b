package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub/hubmetrics"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// dbState is what serve knows of its PostgreSQL database: whether the
// schema was found at this binary's version (once is enough: only
// migrate changes it) and whether the setup that needs the database (the
// snapshot index, partitions) has run.
type dbState struct {
	st       *pgstore.Store
	logger   *slog.Logger
	schemaOK atomic.Bool
	ready    atomic.Bool
}

// check checks the schema version once it is known to be right.
func (s *dbState) check(ctx context.Context) error {
	if s.schemaOK.Load() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.st.CheckSchema(ctx); err != nil {
		return err
	}
	s.schemaOK.Store(true)
	return nil
}

// keepUp retries the schema check and setup with exponential backoff and
// jitter until both pass, then runs the setup (partition upkeep) hourly.
func (s *dbState) keepUp(ctx context.Context, maxWait time.Duration, setup func(context.Context) error) {
	wait := 250 * time.Millisecond
	for {
		err := s.check(ctx)
		if err == nil {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			err = setup(sctx)
			cancel()
		}
		if err == nil {
			if !s.ready.Swap(true) {
				s.logger.Info("database ready")
			}
			wait = time.Hour
		} else {
			s.logger.Warn("database not ready; retrying", "error", err.Error(), "in", wait.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait/2 + rand.N(wait/2+1)):
		}
		if err != nil {
			wait = min(2*wait, maxWait)
		} else {
			wait = 250 * time.Millisecond
		}
	}
}

// health answers the health path itself while the database is down or not
// yet set up (503 unavailable, so a load balancer takes the instance out),
// and passes everything else through: requests that need the database
// fail on their own and kiosks retry them.
func (s *dbState) health(next http.Handler, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != protocol.HealthPath {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		msg := ""
		switch err := s.st.Ping(ctx); {
		case err != nil:
			msg = "the database cannot be reached"
		case !s.schemaOK.Load() || !s.ready.Load():
			msg = "the database is not set up yet"
		}
		if msg == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := protocol.Health{Status: "unavailable", Protocol: protocol.ProtocolVersion, Time: now().UTC().Truncate(time.Second), Message: msg}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(h)
	})
}

// poolStats reads the pool's figures for /metrics.
func (s *dbState) poolStats() hubmetrics.PoolStats {
	p := s.st.Stat()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return hubmetrics.PoolStats{
		Up:       s.st.Ping(ctx) == nil,
		Max:      p.MaxConns(),
		Total:    p.TotalConns(),
		Idle:     p.IdleConns(),
		Acquired: p.AcquiredConns(),
		Acquires: p.AcquireCount(), EmptyAcquires: p.EmptyAcquireCount(), Canceled: p.CanceledAcquireCount(),
		AcquireWait: p.AcquireDuration(),
	}
}
