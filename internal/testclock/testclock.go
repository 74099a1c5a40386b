// Package testclock is a clock that tests move by hand, safe for use from
// several goroutines: the framers, readers and checkers under test read it
// while the test advances it.
package testclock

import (
	"sync"
	"time"
)

// Clock is a wall clock that stands still until Add moves it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock that reads start.
func New(start time.Time) *Clock { return &Clock{t: start} }

// Now is the clock's time; it fits every `Now func() time.Time` option.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
