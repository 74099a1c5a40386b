package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// onceAttempts bounds the tries of each request in Once: enough to ride
// out a hub restart or a burst of 503s, few enough that a script learns.
const onceAttempts = 6

// Once uploads every pending visit, then checks the snapshot, each with a
// bounded number of retries; the upload failing does not skip the check.
// It returns both failures joined.
func (c *Client) Once(ctx context.Context) (UploadResult, CheckResult, error) {
	c.refreshPending()
	up, upErr := c.Upload(ctx, onceAttempts)
	if upErr != nil {
		upErr = fmt.Errorf("upload: %w", upErr)
	}
	var ck CheckResult
	var ckErr error
	if !errors.Is(upErr, ErrRevoked) {
		ck, ckErr = c.Check(ctx, onceAttempts, nil)
		if ckErr != nil {
			ckErr = fmt.Errorf("snapshot: %w", ckErr)
		}
	}
	return up, ck, errors.Join(upErr, ckErr)
}

// Run syncs until ctx ends or the hub revokes the kiosk: an upload pass
// every UploadEvery while visits are pending, a snapshot check every
// CheckEvery, each backing off on its own after failures. It returns
// ErrRevoked when revoked, nil when ctx ends.
//
// Waits count from the end of a pass (a long pass that failed at its end
// still waits its backoff), and a failed upload pass that moved visits
// resets the upload backoff: the hub took part of the backlog, so the
// failure is a fresh one, not the n-th in a row. Otherwise a large
// backlog on a flaky link, where nearly every pass has one failed batch
// among many stored ones, backs off to BackoffMax and drains at a batch
// round per five minutes.
func (c *Client) Run(ctx context.Context) error {
	c.refreshPending()
	now := c.opt.Now()
	nextUp, nextCheck := now, now
	upFails, checkFails := 0, 0
	for {
		if c.Revoked() {
			return ErrRevoked
		}
		if !c.opt.Now().Before(nextUp) {
			c.refreshPending()
			res, err := c.Upload(ctx, 1)
			if ctx.Err() != nil {
				return nil
			}
			moved := res.New+res.Duplicate+res.Refused > 0
			if moved {
				// One line per pass that moved something: an operator
				// (and the fault test) sees the backlog drain.
				c.log.Info("uploaded", "new", res.New, "duplicate", res.Duplicate, "refused", res.Refused, "pending", c.SyncState().Pending)
			}
			now := c.opt.Now()
			if err != nil {
				if moved {
					upFails = 0
				}
				nextUp = now.Add(c.backoffAfter(upFails, err))
				upFails++
				c.log.Warn("upload failed", "err", words(err))
			} else {
				upFails = 0
				nextUp = now.Add(c.opt.UploadEvery)
			}
		}
		if c.Revoked() {
			return ErrRevoked
		}
		if !c.opt.Now().Before(nextCheck) {
			_, err := c.Check(ctx, 1, nil)
			if ctx.Err() != nil {
				return nil
			}
			now := c.opt.Now()
			if err != nil && !errors.Is(err, ErrOlderIndex) {
				nextCheck = now.Add(min(c.backoffAfter(checkFails, err), c.opt.CheckEvery))
				checkFails++
				c.log.Warn("snapshot check failed", "err", words(err))
			} else {
				checkFails = 0
				nextCheck = now.Add(c.opt.CheckEvery)
			}
		}
		wait := minTime(nextUp, nextCheck).Sub(c.opt.Now())
		if err := c.opt.Sleep(ctx, max(wait, 0)); err != nil {
			return nil
		}
	}
}

// backoffAfter is the wait after the n-th consecutive failure, at least
// what Retry-After asked.
func (c *Client) backoffAfter(n int, err error) time.Duration {
	d := c.backoff(n)
	if ra := retryAfter(err); ra > d {
		d = min(ra, c.opt.BackoffMax)
	}
	return d
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
