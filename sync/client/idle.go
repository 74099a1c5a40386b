package client

import (
	"context"
	"time"
)

// idleTimer cancels a download whose body makes no progress for d.
type idleTimer struct {
	d time.Duration
	t *time.Timer
}

func newIdleTimer(d time.Duration, cancel context.CancelFunc) *idleTimer {
	return &idleTimer{d: d, t: time.AfterFunc(d, cancel)}
}

func (i *idleTimer) reset() { i.t.Reset(i.d) }
func (i *idleTimer) stop()  { i.t.Stop() }
