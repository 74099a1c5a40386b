package serial

import (
	"context"
	"sync/atomic"

	"github.com/doorcheck/doorcheck/scanner"
)

// queue carries scans from the reader to the consumer in order, so that
// the reader never waits for a checker that has fallen behind until
// queueLen scans are waiting (see queueLen). When the consumer is
// waiting and nothing is queued, a scan goes to it directly, with no
// extra goroutine hop on the latency path.
type queue struct {
	ready chan scanner.Scan   // scans waiting for the consumer
	scans chan<- scanner.Scan // the consumer
	held  atomic.Int64        // scans put in ready and not yet taken by the consumer
	// full, if set, is called when the reader is about to wait for room:
	// tests use it to know the reader is held up.
	full func()
}

type putResult int

const (
	putAtOnce    putResult = iota // taken or queued without waiting
	putWaited                     // the queue was full: the reader waited for room
	putCancelled                  // ctx ended first; the scan is not delivered
)

// put hands scan on. Only the reader calls it.
func (q *queue) put(ctx context.Context, scan scanner.Scan) putResult {
	// Only put raises held, so at zero every queued scan has reached the
	// consumer and a direct send cannot overtake one.
	if q.held.Load() == 0 {
		select {
		case q.scans <- scan:
			return putAtOnce
		default:
		}
	}
	q.held.Add(1)
	select {
	case q.ready <- scan:
		return putAtOnce
	default:
	}
	if q.full != nil {
		q.full()
	}
	select {
	case q.ready <- scan:
		return putWaited
	case <-ctx.Done():
		return putCancelled
	}
}

// forward hands queued scans to the consumer, in order, until ctx ends.
// It outlives reconnects, so codes read before an unplug reach the
// checker after it.
func (q *queue) forward(ctx context.Context) {
	for {
		select {
		case scan := <-q.ready:
			select {
			case q.scans <- scan:
				q.held.Add(-1)
			case <-ctx.Done():
				return
			}
		case <-ctx.Done():
			return
		}
	}
}
