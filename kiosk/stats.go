package kiosk

import (
	"context"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
)

// SnapshotStatus describes the snapshot a kiosk decides from.
type SnapshotStatus struct {
	Present   bool
	Version   uint64
	CreatedAt time.Time
	Age       time.Duration // now minus CreatedAt
	Stale     bool          // older than the policy's maximum age
	// TooOld is true when the snapshot is beyond the hard data age
	// limit: entries are NOT VERIFIED data_too_old.
	TooOld     bool
	Entries    uint64
	Deployment string
	// ClockBehind is true when the device clock reads earlier than the
	// snapshot's creation: the clock, not the data, is wrong.
	ClockBehind bool
}

// Stats is the read side the screens show: today's counters, the snapshot,
// and how many visits wait for upload.
type Stats struct {
	Day      string
	Counters store.Counters
	Snapshot SnapshotStatus
	Pending  int
}

// Snapshot reports the current snapshot's version, age and staleness.
func (c *Checker) Snapshot() SnapshotStatus {
	now := c.now()
	m, ok := c.st.Current()
	if !ok {
		return SnapshotStatus{}
	}
	s := SnapshotStatus{
		Present:     true,
		Version:     m.Version,
		CreatedAt:   m.CreatedAt,
		Age:         now.Sub(m.CreatedAt),
		Entries:     m.ResultEntries,
		Deployment:  m.Deployment,
		ClockBehind: now.Add(c.set.ClockSkew).Before(m.CreatedAt),
	}
	s.Stale = c.set.Rules.MaxAge > 0 && s.Age > c.set.Rules.MaxAge
	s.TooOld = c.set.Rules.DataTooOld(s.Age)
	return s
}

// Stats returns today's counters, the snapshot status and the upload
// backlog.
func (c *Checker) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	day := c.day(c.now())
	counters, err := c.st.Counters(day)
	if err != nil {
		return Stats{}, fmt.Errorf("read counters for %s: %w", day, err)
	}
	pending, err := c.st.PendingCount()
	if err != nil {
		return Stats{}, fmt.Errorf("count pending uploads: %w", err)
	}
	return Stats{Day: day, Counters: counters, Snapshot: c.Snapshot(), Pending: pending}, nil
}

// Recent returns the last n recorded visits, newest first.
func (c *Checker) Recent(ctx context.Context, n int) ([]store.Visit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.st.Recent(n)
}
