package latency

import (
	"runtime"
	"sync/atomic"
	"time"
)

// HeapPeak samples the Go heap in use every 20 ms until End, for
// benchmarks that report peak memory of a long operation.
type HeapPeak struct {
	peak       atomic.Uint64
	stop, done chan struct{}
}

// WatchHeap starts sampling.
func WatchHeap() *HeapPeak {
	h := &HeapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > h.peak.Load() {
				h.peak.Store(ms.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// End stops sampling and returns the peak heap in use, in bytes.
func (h *HeapPeak) End() uint64 { close(h.stop); <-h.done; return h.peak.Load() }
