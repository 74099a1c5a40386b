package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// UploadResult sums one upload pass.
type UploadResult struct {
	New, Duplicate, Refused int
	Remaining               int // still in the outbox (refused ones included)
}

// maxAnswer bounds an upload answer: 1,000 results of ~100 bytes.
const maxAnswer = 1 << 20

// Upload sends every pending visit in batches until the outbox holds
// nothing this client may send, retrying transient failures (attempts per
// batch, 0: unlimited). Acknowledged visits leave the outbox batch by
// batch, so a failure midway keeps what was acknowledged.
func (c *Client) Upload(ctx context.Context, attempts int) (UploadResult, error) {
	res, err := c.upload(ctx, attempts)
	return res, c.failed(ctx, err)
}

func (c *Client) upload(ctx context.Context, attempts int) (UploadResult, error) {
	c.uploadMu.Lock()
	defer c.uploadMu.Unlock()
	var res UploadResult
	if c.Revoked() {
		return res, ErrRevoked
	}
	// PendingCount walks the outbox (bbolt keeps no count): read it once a
	// pass and count down, instead of once a batch.
	backlog, err := c.opt.Store.PendingCount()
	if err != nil {
		return res, fmt.Errorf("read outbox: %w", err)
	}
	c.mu.Lock()
	c.backlog = backlog
	c.mu.Unlock()
	for {
		batches, err := c.nextBatches()
		if err != nil {
			return res, err
		}
		if len(batches) == 0 {
			break
		}
		// Batches of one round go up at once: the hub's fsync, the kiosk's
		// encoding and its Ack fsync overlap instead of queueing. They are
		// disjoint, and each is acknowledged on its own.
		results := make([]UploadResult, len(batches))
		errs := make([]error, len(batches))
		var wg sync.WaitGroup
		for i, batch := range batches {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = c.retry(ctx, attempts, "upload", func() error { return c.uploadBatch(ctx, batch, &results[i]) })
			}()
		}
		wg.Wait()
		for _, r := range results {
			res.New, res.Duplicate, res.Refused = res.New+r.New, res.Duplicate+r.Duplicate, res.Refused+r.Refused
		}
		if err := errors.Join(errs...); err != nil {
			c.refreshPending()
			return res, err
		}
	}
	c.refreshPending()
	res.Remaining = c.SyncState().Pending
	c.update(func(s *kiosk.SyncState) {
		s.LastUpload = c.opt.Now()
		if s.Connectivity != kiosk.Offline {
			s.LastError = ""
		}
	})
	return res, nil
}

// Parallel is how many batches one upload round sends at once.
const Parallel = 4

// nextBatches returns up to Parallel batches of pending visits this client
// has not seen refused, as upstream records. A visit that cannot be
// encoded is refused here, as the hub would.
func (c *Client) nextBatches() ([][]visit.Record, error) {
	c.mu.Lock()
	skip := len(c.refused)
	c.mu.Unlock()
	vs, err := c.opt.Store.Pending(Parallel*c.opt.Batch + skip)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	out := make([]visit.Record, 0, len(vs))
	for _, v := range vs {
		c.mu.Lock()
		_, refused := c.refused[v.ID]
		c.mu.Unlock()
		if refused {
			continue
		}
		r, err := recordOf(v)
		if err != nil {
			c.refuse(v.ID, protocol.CodeBadVisit, err)
			continue
		}
		if len(out) < Parallel*c.opt.Batch {
			out = append(out, r)
		}
	}
	var batches [][]visit.Record
	for len(out) > 0 {
		n := min(len(out), c.opt.Batch)
		batches = append(batches, out[:n:n])
		out = out[n:]
	}
	return batches, nil
}

func (c *Client) refuse(id store.VisitID, code protocol.Code, why error) {
	c.mu.Lock()
	c.refused[id] = code
	c.refusedN++
	c.mu.Unlock()
	msg := fmt.Sprintf("visit %s refused (%s); kept, not sent again", id, code)
	if why != nil {
		msg += ": " + why.Error()
	}
	c.log.Warn("visit refused", "visit", id.String(), "code", string(code))
	c.update(func(s *kiosk.SyncState) { s.LastError = words(errors.New(msg)) })
}

func (c *Client) refreshPending() {
	n, err := c.opt.Store.PendingCount()
	if err != nil {
		return
	}
	var oldest []store.Visit
	if n > 0 {
		oldest, _ = c.opt.Store.Pending(1)
	}
	c.mu.Lock()
	c.state.Pending = n
	if len(oldest) == 1 {
		c.oldest = oldest[0].At
	}
	c.mu.Unlock()
}

// uploadBatch posts one batch (gzip) and acknowledges what the hub stored.
func (c *Client) uploadBatch(ctx context.Context, batch []visit.Record, res *UploadResult) error {
	c.mu.Lock()
	backlog := c.backlog
	c.mu.Unlock()
	req := protocol.UploadRequest{Format: visit.Format, Visits: batch, Backlog: uint64(max(backlog-len(batch), 0))}
	if m, ok := c.opt.Store.Current(); ok {
		req.SnapshotVersion = m.Version
	}
	var body bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&body, gzip.BestSpeed)
	if err := json.NewEncoder(zw).Encode(req); err != nil {
		return permanent(fmt.Errorf("encode upload: %w", err))
	}
	if err := zw.Close(); err != nil {
		return permanent(err)
	}
	hr, err := http.NewRequest(http.MethodPost, c.opt.URL+protocol.VisitsPath, bytes.NewReader(body.Bytes()))
	if err != nil {
		return permanent(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Content-Encoding", "gzip")
	resp, cancel, err := c.request(ctx, hr, false)
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && !he.Transient() && he.Code != protocol.CodeUnauthorized && he.Code != protocol.CodeForbidden {
			// The batch as a whole can never succeed (bad_request,
			// body_too_large…): refuse one visit at a time so one bad
			// record does not hold back the rest.
			return c.splitRefused(ctx, batch, res, he)
		}
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	var ans protocol.UploadResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&ans); err != nil {
		return fmt.Errorf("read upload answer: %w", err) // transient: the answer was cut
	}
	if len(ans.Results) != len(batch) {
		return permanent(fmt.Errorf("upload answer has %d results for %d visits", len(ans.Results), len(batch)))
	}
	acked := make([]store.VisitID, 0, len(batch))
	for i, r := range ans.Results {
		if r.ID != batch[i].ID {
			return permanent(fmt.Errorf("upload answer %d names visit %s, sent %s", i, r.ID, batch[i].ID))
		}
		switch r.Result {
		case protocol.ResultNew:
			res.New++
			acked = append(acked, store.VisitID(r.ID))
		case protocol.ResultDuplicate:
			res.Duplicate++
			acked = append(acked, store.VisitID(r.ID))
		default:
			res.Refused++
			c.refuse(store.VisitID(r.ID), r.Code, nil)
		}
	}
	if err := c.opt.Store.Ack(acked...); err != nil {
		// Not acknowledged locally: the next pass sends them again and the
		// hub answers duplicate.
		return permanent(fmt.Errorf("acknowledge %d visits: %w", len(acked), err))
	}
	c.mu.Lock()
	c.backlog = max(c.backlog-len(acked), 0)
	c.state.Pending = c.backlog
	c.mu.Unlock()
	return nil
}

// splitRefused retries a batch the hub refused as a whole in halves, down
// to single visits, which are then refused one by one.
func (c *Client) splitRefused(ctx context.Context, batch []visit.Record, res *UploadResult, why *HTTPError) error {
	if len(batch) == 1 {
		res.Refused++
		c.refuse(store.VisitID(batch[0].ID), why.Code, why)
		return nil
	}
	half := len(batch) / 2
	for _, part := range [][]visit.Record{batch[:half], batch[half:]} {
		if err := c.uploadBatch(ctx, part, res); err != nil {
			return err
		}
	}
	return nil
}
