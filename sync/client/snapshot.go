package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// CheckResult says what one snapshot check did.
type CheckResult struct {
	Plan     protocol.PlanKind
	From, To uint64 // the version before and after
	// FellBack is true when a delta step failed, or the transfer form of
	// the full file was refused, and the full file was taken instead.
	FellBack bool
}

// ErrOlderIndex: the hub's index names a version below the kiosk's. It is
// ignored (never a rollback) and reported.
var ErrOlderIndex = errors.New("hub index is older than the kiosk's snapshot: ignored (no rollback)")

// Check fetches the signed index and brings the snapshot to its version:
// the delta chain from the current version, or the full file. progress,
// if not nil, is called as store imports advance.
func (c *Client) Check(ctx context.Context, attempts int, progress func(store.Progress)) (CheckResult, error) {
	res, err := c.check(ctx, attempts, progress)
	return res, c.failed(ctx, err)
}

func (c *Client) check(ctx context.Context, attempts int, progress func(store.Progress)) (CheckResult, error) {
	c.snapMu.Lock()
	defer c.snapMu.Unlock()
	var res CheckResult
	if c.Revoked() {
		return res, ErrRevoked
	}
	var x *protocol.Index
	var etag string
	err := c.retry(ctx, attempts, "manifest", func() error {
		var err error
		x, etag, err = c.fetchIndex(ctx)
		return err
	})
	if err != nil {
		return res, err
	}
	cur := c.currentVersion()
	res.From, res.To = cur, cur
	if x == nil { // 304: unchanged since the index last applied
		res.Plan = protocol.PlanCurrent
		c.checked()
		return res, nil
	}
	plan := x.PlanFrom(cur)
	res.Plan = plan.Kind
	switch plan.Kind {
	case protocol.PlanCurrent:
		if err := c.syncDCCTrust(ctx, attempts, x); err != nil {
			return res, err
		}
		c.etag = etag
		c.checked()
		return res, nil
	case protocol.PlanAhead:
		err := fmt.Errorf("%w: hub %d, kiosk %d", ErrOlderIndex, x.Version, cur)
		c.update(func(s *kiosk.SyncState) { s.LastError = words(err) })
		return res, err
	case protocol.PlanDeltas:
		for _, f := range plan.Files {
			if err := c.fetchAndApply(ctx, attempts, f, progress); err != nil {
				if ctx.Err() != nil || errors.Is(err, ErrRevoked) {
					return res, err
				}
				// Never a delta on the wrong base, never half a chain
				// retried forever: take the full snapshot.
				c.log.Warn("delta failed; taking the full snapshot", "delta", f.Name, "err", words(err))
				res.FellBack = true
				break
			}
		}
		if c.currentVersion() == x.Version {
			break
		}
		res.Plan = protocol.PlanFull
		fallthrough
	case protocol.PlanFull:
		fellBack, err := c.fetchFull(ctx, attempts, x, progress)
		res.FellBack = res.FellBack || fellBack
		if err != nil {
			res.To = c.currentVersion()
			return res, err
		}
	}
	res.To = c.currentVersion()
	// The etag is kept only once the trust list is in place too, so a
	// refused list is fetched again at the next check.
	if err := c.syncDCCTrust(ctx, attempts, x); err != nil {
		return res, err
	}
	c.etag = etag
	c.checked()
	return res, nil
}

func (c *Client) checked() {
	c.update(func(s *kiosk.SyncState) { s.LastDownload = c.opt.Now(); s.Downloading = false })
}

func (c *Client) currentVersion() uint64 {
	if m, ok := c.opt.Store.Current(); ok {
		return m.Version
	}
	return 0
}

// fetchIndex GETs the signed index; a nil index means 304 (unchanged since
// the last one the kiosk fully applied).
func (c *Client) fetchIndex(ctx context.Context) (*protocol.Index, string, error) {
	req, err := http.NewRequest(http.MethodGet, c.opt.URL+protocol.ManifestPath, nil)
	if err != nil {
		return nil, "", permanent(err)
	}
	if c.etag != "" {
		req.Header.Set("If-None-Match", c.etag)
	}
	resp, cancel, err := c.request(ctx, req, false)
	if err != nil {
		return nil, "", err
	}
	defer cancel()
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, c.etag, nil
	}
	doc, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxIndexSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("read index: %w", err)
	}
	x, err := protocol.VerifyIndex(doc, c.opt.HubKey)
	if err != nil {
		return nil, "", permanent(err)
	}
	return x, resp.Header.Get("ETag"), nil
}

// fetchAndApply downloads f (resuming a staged part), checks its size and
// SHA-256 against the signed index, opens it against the pinned key and
// imports it. The staged file is removed once applied or found bad.
func (c *Client) fetchAndApply(ctx context.Context, attempts int, f protocol.FileRef, progress func(store.Progress)) error {
	path := filepath.Join(c.opt.Dir, ".download-"+f.Name)
	c.update(func(s *kiosk.SyncState) { s.Downloading, s.Downloaded, s.DownloadSize = true, 0, f.Size })
	defer c.update(func(s *kiosk.SyncState) { s.Downloading = false })
	err := c.retry(ctx, attempts, "download", func() error { return c.download(ctx, f, path) })
	if err != nil {
		return err
	}
	defer os.Remove(path)
	defer os.Remove(path + ".etag")
	if err := verifyFile(path, f); err != nil {
		return err
	}
	return c.applyFile(ctx, path, f, progress)
}

// applyFile opens the staged file at path, whose bytes have been checked
// against f, against the pinned key, checks that it is the version (and
// base) the index named, and imports it.
func (c *Client) applyFile(ctx context.Context, path string, f protocol.FileRef, progress func(store.Progress)) error {
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open download: %w", err)
	}
	defer file.Close()
	r, err := wire.Open(file, c.opt.HubKey)
	if err != nil {
		return permanent(fmt.Errorf("%s: %w", f.Name, err))
	}
	if r.Manifest.Version != f.Version || r.Manifest.BaseVersion != f.BaseVersion {
		return permanent(fmt.Errorf("%s holds version %d (base %d), the index said %d (base %d)", f.Name,
			r.Manifest.Version, r.Manifest.BaseVersion, f.Version, f.BaseVersion))
	}
	if err := c.opt.Store.Import(ctx, r, progress); err != nil && !errors.Is(err, store.ErrSameVersion) {
		return permanent(fmt.Errorf("apply %s: %w", f.Name, err))
	}
	c.log.Info("snapshot applied", "file", f.Name, "version", f.Version)
	return nil
}

// verifyFile checks the staged file's size and whole-file SHA-256.
func verifyFile(path string, f protocol.FileRef) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	h := sha256.New()
	n, err := io.Copy(h, file)
	if err != nil {
		return fmt.Errorf("hash download: %w", err)
	}
	if n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
		os.Remove(path)
		os.Remove(path + ".etag")
		return permanent(fmt.Errorf("%s: %d bytes that do not hash to the index's sha256 (want %d bytes): refused", f.Name, n, f.Size))
	}
	return nil
}

// download brings the staged file at path to f.Size bytes: it resumes a
// part with Range and If-Range (the ETag it started with), and starts
// over when the server sends the whole file instead.
func (c *Client) download(ctx context.Context, f protocol.FileRef, path string) error {
	req, err := http.NewRequest(http.MethodGet, c.opt.URL+protocol.FileURL(f.Name), nil)
	if err != nil {
		return permanent(err)
	}
	var have int64
	if fi, err := os.Stat(path); err == nil {
		have = fi.Size()
	}
	etag, _ := os.ReadFile(path + ".etag")
	if have >= f.Size && f.Size > 0 {
		if have == f.Size {
			return nil
		}
		have = 0 // longer than the index says: start over
	}
	if have > 0 && len(etag) > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		req.Header.Set("If-Range", string(etag))
	} else {
		have = 0
	}
	resp, cancel, err := c.request(ctx, req, true)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE
	switch resp.StatusCode {
	case http.StatusPartialContent:
		flags |= os.O_APPEND
	case http.StatusOK:
		flags |= os.O_TRUNC
		have = 0
	default:
		return permanent(fmt.Errorf("download %s: unexpected status %d", f.Name, resp.StatusCode))
	}
	if et := resp.Header.Get("ETag"); et != "" {
		if err := os.WriteFile(path+".etag", []byte(et), 0o600); err != nil {
			return permanent(fmt.Errorf("stage download: %w", err))
		}
	}
	out, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return permanent(fmt.Errorf("stage download: %w", err))
	}
	// A stalled body is cut after the idle timeout (the hub does the
	// same); what arrived is kept for the next Range.
	idle := newIdleTimer(downloadIdleTimeout, cancel)
	defer idle.stop()
	w := &progressWriter{w: out, c: c, n: have, idle: idle}
	_, copyErr := io.Copy(w, io.LimitReader(resp.Body, f.Size-have+1))
	syncErr := out.Sync()
	closeErr := out.Close()
	if copyErr != nil {
		return fmt.Errorf("download %s at byte %d: %w", f.Name, w.n, copyErr)
	}
	if syncErr != nil || closeErr != nil {
		return permanent(fmt.Errorf("stage download: %w", errors.Join(syncErr, closeErr)))
	}
	if w.n < f.Size {
		return fmt.Errorf("download %s: cut at byte %d of %d", f.Name, w.n, f.Size)
	}
	return nil
}

type progressWriter struct {
	w    io.Writer
	c    *Client
	n    int64
	idle *idleTimer
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.idle.reset()
	done := p.n
	p.c.update(func(s *kiosk.SyncState) { s.Downloaded = done })
	return n, err
}
