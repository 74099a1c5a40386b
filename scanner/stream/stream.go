// Package stream reads payloads from any byte stream — standard input in
// `doorcheck run --no-tui`, a pipe from another program — with the same
// framing rules as a serial scanner.
package stream

import (
	"context"
	"io"
	"time"

	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
)

// readAhead bounds the chunks read but not yet framed: 16 reads of 4 KiB
// (64 KiB). While there is room the reader goroutine keeps reading as
// bytes arrive, whatever the checker is doing, and stamps each chunk
// with the time it arrived. When it is full the reader waits — nothing
// is dropped — and marks the chunk it waited with, so the framer counts
// idle time afresh once it gets there: the pause is never taken for
// the line being idle.
const readAhead = 16

// Source frames one reader. It implements scanner.Source.
type Source struct {
	name    string
	r       io.Reader
	framing frame.Options
	now     func() time.Time
	ahead   int // chunks the reader may read ahead (readAhead)
}

// New returns a source reading r, named name in scans ("stdin").
func New(name string, r io.Reader, framing frame.Options) *Source {
	return &Source{name: name, r: r, framing: framing, now: time.Now, ahead: readAhead}
}

// chunk is one read: its bytes, its error, when it returned, and
// whether the reader had to wait for room to hand it over (and so was
// not reading for a while).
type chunk struct {
	b      []byte
	err    error
	at     time.Time
	waited bool
}

// Run reads until the stream ends (then it returns nil, after delivering
// what was pending) or ctx ends. Reading runs ahead of delivery (see
// readAhead): an idle gap is time the reader waited on the stream with
// nothing read and nothing left to frame, never time spent waiting for
// the checker.
func (s *Source) Run(ctx context.Context, scans chan<- scanner.Scan, events chan<- scanner.Event) error {
	chunks := make(chan chunk, max(s.ahead, 1))
	go func() {
		// This goroutine may stay blocked in Read after ctx ends (stdin
		// cannot be interrupted); it exits when the stream does.
		for {
			buf := make([]byte, 4096)
			n, err := s.r.Read(buf)
			c := chunk{b: buf[:n], err: err, at: s.now()}
			select {
			case chunks <- c:
			default:
				c.waited = true
				select {
				case chunks <- c:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	f := frame.New(s.framing)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var results []frame.Result
		var done bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c := <-chunks:
			results = f.Feed(c.b, c.at)
			if c.waited {
				// The reader stopped reading until this chunk found
				// room, so the line has been watched only since then
				// (at most since now): idle time counts from now.
				f.Resume(s.now())
			}
			if c.err != nil {
				results = append(results, f.Flush()...)
				done = true
			}
		case <-tick.C:
			// Bytes already read are not silence, however late they
			// are framed.
			if len(chunks) == 0 {
				results = f.Idle(s.now())
			}
		}
		for _, r := range results {
			if r.Dropped != "" {
				if events != nil {
					select {
					case events <- scanner.Event{Kind: scanner.Dropped, Source: s.name, Detail: "scan ignored: " + r.Dropped, At: r.At}:
					default:
					}
				}
				continue
			}
			select {
			case scans <- scanner.Scan{Payload: r.Payload, Source: s.name, At: r.At}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if done {
			return nil
		}
	}
}
