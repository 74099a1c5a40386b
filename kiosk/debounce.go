package kiosk

import (
	"crypto/sha256"
	"time"
)

// debouncer remembers recent payloads so a scanner that sends the same code
// twice (or through two channels) makes one visit, not two. It keeps only
// a hash of each payload, never the payload, and a bounded number of them.
type debouncer struct {
	window time.Duration
	max    int
	recent []recentScan // oldest first
}

type recentScan struct {
	sum     [sha256.Size]byte
	at      time.Time
	verdict Verdict
}

func newDebouncer(window time.Duration, max int) debouncer {
	return debouncer{window: window, max: max}
}

// seen returns the earlier verdict for payload if it last arrived within
// the window before now. A repeat restarts the window, so a pass held in
// front of a scanner that reads continuously makes one visit, not one
// every window.
func (d *debouncer) seen(payload string, now time.Time) (Verdict, bool) {
	sum := sha256.Sum256([]byte(payload))
	for i := len(d.recent) - 1; i >= 0; i-- {
		r := &d.recent[i]
		if r.sum == sum {
			age := now.Sub(r.at)
			if age < 0 || age >= d.window {
				return Verdict{}, false
			}
			r.at = now
			return r.verdict, true
		}
	}
	return Verdict{}, false
}

// remember records the verdict given for payload at now.
func (d *debouncer) remember(payload string, now time.Time, v Verdict) {
	sum := sha256.Sum256([]byte(payload))
	kept := d.recent[:0]
	for _, r := range d.recent {
		if r.sum != sum && now.Sub(r.at) < d.window {
			kept = append(kept, r)
		}
	}
	d.recent = append(kept, recentScan{sum: sum, at: now, verdict: v})
	if len(d.recent) > d.max {
		d.recent = d.recent[len(d.recent)-d.max:]
	}
}

// forget drops everything, so a payload scanned again right after an undo
// is a fresh decision.
func (d *debouncer) forget() { d.recent = d.recent[:0] }
