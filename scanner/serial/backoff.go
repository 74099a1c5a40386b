package serial

import "time"

// backoff spaces out attempts to open a missing port: waits double from
// min to max, and each is jittered over [d/2, d) so that kiosks which
// lost power together do not all retry in step.
type backoff struct {
	min, max time.Duration
	next     time.Duration
	rand     func(n int64) int64 // uniform in [0, n)
}

func newBackoff(min, max time.Duration, rand func(int64) int64) *backoff {
	return &backoff{min: min, max: max, next: min, rand: rand}
}

// wait returns how long to wait before the next attempt, and doubles the
// one after it.
func (b *backoff) wait() time.Duration {
	d := b.next
	b.next = min(2*b.next, b.max)
	if d < 2 {
		return d
	}
	return d/2 + time.Duration(b.rand(int64(d/2)))
}

// reset starts again from min, after a connection that held.
func (b *backoff) reset() { b.next = b.min }
