package client

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// fakeClock is a clock that only moves when the client sleeps on it.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
	done  func() bool // true: the next sleep ends Run
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if c.done() {
		return context.Canceled
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.waits = append(c.waits, d)
	n := len(c.waits)
	c.mu.Unlock()
	if n > 10_000 {
		return context.Canceled
	}
	return ctx.Err()
}

// TestRunBackoffAfterProgress: in Run, a backlog of 20 batches over a
// link that breaks one upload in five — so every pass fails, each after
// storing most of its round — waits the first backoff after each pass
// (the hub took visits: a fresh failure), never the doubled ones of
// failures in a row. Before, the backoff grew with every pass until the
// outbox was empty, and a large backlog on a flaky link drained at one
// round per BackoffMax.
func TestRunBackoffAfterProgress(t *testing.T) {
	h := newFakeHub(t)
	var mu sync.Mutex
	posts := 0
	inner := h.srv.Config.Handler
	h.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == protocol.VisitsPath {
			mu.Lock()
			posts++
			fail := posts%5 == 0
			mu.Unlock()
			if fail {
				writeErr(w, http.StatusBadGateway, "", nil)
				return
			}
		}
		inner.ServeHTTP(w, r)
	})
	st := newMemStore(2000, time.Now().Add(-time.Hour))
	clk := &fakeClock{t: time.Now()}
	clk.done = func() bool { n, _ := st.PendingCount(); return n == 0 }
	c, err := New(Options{URL: h.srv.URL, Credential: "k1.c2VjcmV0", HubKey: h.keys.Hub.Public().(ed25519.PublicKey),
		Store: st, Dir: t.TempDir(), Batch: 100, Jitter: func() float64 { return 0.5 },
		Now: clk.now, Sleep: clk.sleep, CheckEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.PendingCount(); n != 0 {
		t.Fatalf("%d visits left after Run (%d waits)", n, len(clk.waits))
	}
	first := c.backoff(0) // 0.75 s with jitter 0.5
	var long []time.Duration
	for _, d := range clk.waits {
		if d > first {
			long = append(long, d)
		}
	}
	if len(long) > 0 || len(clk.waits) < 4 {
		t.Errorf("waits %v: want each at most the first backoff %s (the hub stored visits in every pass)", clk.waits, first)
	}
	if len(h.visits) != 2000 {
		t.Errorf("hub holds %d visits, want 2000", len(h.visits))
	}
}
