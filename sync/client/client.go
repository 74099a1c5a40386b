package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Store is what the client needs of the kiosk store (kiosk/store.Store).
type Store interface {
	Pending(limit int) ([]store.Visit, error)
	PendingCount() (int, error)
	Ack(ids ...store.VisitID) error
	Current() (*wire.Manifest, bool)
	Import(ctx context.Context, r *wire.Reader, progress func(store.Progress)) error
}

// TrustedClock takes the hub's Date as a trusted time (kiosk.Checker).
type TrustedClock interface {
	NoteTrustedTime(time.Time)
}

// Defaults of Options.
const (
	DefaultUploadEvery  = 5 * time.Second
	DefaultCheckEvery   = 5 * time.Minute
	DefaultTimeout      = 30 * time.Second
	DefaultSlow         = 10 * time.Second
	DefaultBackoffBase  = 1 * time.Second
	DefaultBackoffMax   = 5 * time.Minute
	DefaultBatch        = protocol.MaxBatchVisits
	SkewWarning         = 2 * time.Minute
	UploadOverdueAfter  = 48 * time.Hour
	downloadIdleTimeout = 60 * time.Second
)

// Options configure a Client. URL, Credential, HubKey, Store and Dir are
// required.
type Options struct {
	URL        string            // the hub's base URL (no trailing /v1)
	Credential string            // KIOSK.SECRET (protocol.Credential)
	HubKey     ed25519.PublicKey // the pinned hub key
	Store      Store
	Dir        string       // where downloads are staged: beside the store, same file system
	Clock      TrustedClock // optional: receives the hub's Date
	HTTP       *http.Client // nil: a client with no total timeout (requests carry their own)
	Log        *slog.Logger // nil: discard
	// DCCTrust, when set, receives the DCC trust list the hub's index
	// names (dcctrust.go).
	DCCTrust DCCTrust

	UploadEvery, CheckEvery time.Duration // loop periods (defaults above)
	Timeout                 time.Duration // each API request; downloads are bounded by progress instead
	Slow                    time.Duration // an answer slower than this counts as offline
	BackoffBase, BackoffMax time.Duration
	Batch                   int // visits per upload, ≤ protocol.MaxBatchVisits

	// Now is the clock for state and skew; nil is time.Now. Sleep waits
	// between retries; nil waits on a timer (tests make it return at once).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1); nil is math/rand/v2.
	Jitter func() float64
}

// Client syncs one kiosk with its hub. It is safe for concurrent use:
// SyncState may be called from the screen while Run works.
type Client struct {
	opt  Options
	http *http.Client
	log  *slog.Logger

	// Refused visits stay in the outbox but are not sent again by this
	// process; uploadMu serialises upload passes.
	uploadMu sync.Mutex
	refused  map[store.VisitID]protocol.Code // under mu
	backlog  int                             // outbox size during a pass, counted down per batch (under mu)

	snapMu   sync.Mutex
	etag     string // ETag of the last index fully applied
	mu       sync.Mutex
	state    kiosk.SyncState
	oldest   time.Time // oldest pending visit, for the overdue warning
	revoked  bool
	refusedN int
}

// New checks opt and returns a client; nothing is sent until Run or Once.
func New(opt Options) (*Client, error) {
	if opt.URL == "" || opt.Credential == "" || len(opt.HubKey) != ed25519.PublicKeySize || opt.Store == nil || opt.Dir == "" {
		return nil, errors.New("sync client: URL, credential, hub key, store and download directory are required")
	}
	opt.URL = strings.TrimRight(opt.URL, "/")
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opt.UploadEvery, DefaultUploadEvery)
	def(&opt.CheckEvery, DefaultCheckEvery)
	def(&opt.Timeout, DefaultTimeout)
	def(&opt.Slow, DefaultSlow)
	def(&opt.BackoffBase, DefaultBackoffBase)
	def(&opt.BackoffMax, DefaultBackoffMax)
	if opt.Batch <= 0 || opt.Batch > protocol.MaxBatchVisits {
		opt.Batch = DefaultBatch
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	if opt.Jitter == nil {
		opt.Jitter = rand.Float64
	}
	c := &Client{opt: opt, http: opt.HTTP, log: opt.Log, refused: map[store.VisitID]protocol.Code{}}
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: opt.Timeout, IdleConnTimeout: 90 * time.Second,
			MaxIdleConnsPerHost: 2, ForceAttemptHTTP2: true,
		}}
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.state.Connectivity = kiosk.Offline // until the hub has answered
	// A store that keeps the last acknowledgement (kiosk/store does)
	// carries the last successful upload across restarts.
	if la, ok := opt.Store.(interface{ LastAck() (time.Time, error) }); ok {
		if at, err := la.LastAck(); err == nil {
			c.state.LastUpload = at
		}
	}
	return c, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SyncState implements kiosk.SyncStatus.
func (c *Client) SyncState() kiosk.SyncState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state
	last := s.LastUpload
	if last.IsZero() {
		last = c.oldest
	}
	s.UploadOverdue = s.Pending > 0 && !last.IsZero() && c.opt.Now().Sub(last) > UploadOverdueAfter
	return s
}

// Refused is how many visits the hub refused (kept, not sent again).
func (c *Client) Refused() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refusedN
}

func (c *Client) update(f func(s *kiosk.SyncState)) {
	c.mu.Lock()
	f(&c.state)
	c.mu.Unlock()
}

// request sends one request to the hub with the credential, the kiosk's
// snapshot version and, unless download, the API timeout. It notes the
// hub's Date and the connectivity the answer shows. A non-2xx/304 answer
// is returned as an error (the body closed).
func (c *Client) request(ctx context.Context, req *http.Request, download bool) (*http.Response, context.CancelFunc, error) {
	parent := ctx
	var cancel context.CancelFunc
	if download {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithTimeout(ctx, c.opt.Timeout)
	}
	req = req.WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+c.opt.Credential)
	if m, ok := c.opt.Store.Current(); ok {
		req.Header.Set(protocol.KioskVersionHeader, strconv.FormatUint(m.Version, 10))
	}
	start := c.opt.Now()
	resp, err := c.http.Do(req)
	elapsed := c.opt.Now().Sub(start)
	if err != nil {
		cancel()
		c.noteFailure(parent, err)
		return nil, nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, stripURL(err))
	}
	c.noteDate(resp)
	if resp.StatusCode >= 400 {
		err := errorOf(resp)
		resp.Body.Close()
		cancel()
		c.noteFailure(parent, err)
		return nil, nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	c.update(func(s *kiosk.SyncState) {
		if elapsed > c.opt.Slow {
			s.Connectivity = kiosk.Offline
			s.LastError = fmt.Sprintf("hub slow: %s to answer", elapsed.Round(time.Millisecond))
		} else if s.Connectivity != kiosk.Revoked {
			s.Connectivity = kiosk.Online
		}
	})
	return resp, cancel, nil
}

// stripURL keeps the error's words without the method and URL, which
// the caller names already.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// noteFailure records a failed request; ctx is the caller's (not the
// request's own timeout, which is the hub being slow).
func (c *Client) noteFailure(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // our own cancellation says nothing about the hub
	}
	c.update(func(s *kiosk.SyncState) {
		if errors.Is(err, ErrRevoked) {
			s.Connectivity = kiosk.Revoked
		} else if s.Connectivity != kiosk.Revoked && transient(ctx, err) {
			s.Connectivity = kiosk.Offline
		}
		s.LastError = words(err)
	})
	if errors.Is(err, ErrRevoked) {
		c.mu.Lock()
		c.revoked = true
		c.mu.Unlock()
	}
}

// noteDate compares the hub's Date with the kiosk's clock and hands it to
// the trusted clock. Only answers to authenticated requests count (every
// request this client sends carries the credential; TLS authenticates the
// hub when configured).
func (c *Client) noteDate(resp *http.Response) {
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	skew := d.Sub(c.opt.Now())
	c.update(func(s *kiosk.SyncState) { s.ClockSkew, s.ClockSkewKnown = skew, true })
	if skew > SkewWarning || skew < -SkewWarning {
		c.log.Warn("kiosk clock differs from the hub's", "skew", skew.Round(time.Second).String())
	}
	if c.opt.Clock != nil && resp.StatusCode < 400 {
		c.opt.Clock.NoteTrustedTime(d)
	}
}

// Revoked reports whether the hub has revoked this kiosk.
func (c *Client) Revoked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revoked
}

// retry runs op until it succeeds, fails for good, ctx ends or attempts
// (0: unlimited) are spent, waiting with exponential backoff and full
// jitter between tries, at least what Retry-After asked.
func (c *Client) retry(ctx context.Context, attempts int, what string, op func() error) error {
	for n := 0; ; n++ {
		err := op()
		if err == nil || !transient(ctx, err) || (attempts > 0 && n+1 >= attempts) {
			return err
		}
		d := c.backoff(n)
		if ra := retryAfter(err); ra > d {
			d = min(ra, c.opt.BackoffMax)
		}
		c.log.Info("retrying", "what", what, "in", d.Round(time.Millisecond).String(), "err", words(err))
		if err := c.opt.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// backoff is the wait before retry n+1: uniform in [d/2, d) with d =
// base·2ⁿ capped at the maximum.
func (c *Client) backoff(n int) time.Duration {
	d := c.opt.BackoffBase << min(n, 30)
	if d > c.opt.BackoffMax || d <= 0 {
		d = c.opt.BackoffMax
	}
	return d/2 + time.Duration(c.opt.Jitter()*float64(d/2))
}

// failed records a pass's failure for the screen and returns it.
func (c *Client) failed(ctx context.Context, err error) error {
	if err != nil && ctx.Err() == nil {
		c.update(func(s *kiosk.SyncState) { s.LastError = words(err) })
	}
	return err
}
