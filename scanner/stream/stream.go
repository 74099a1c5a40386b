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

// Source frames one reader. It implements scanner.Source.
type Source struct {
	name    string
	r       io.Reader
	framing frame.Options
	now     func() time.Time
}

// New returns a source reading r, named name in scans ("stdin").
func New(name string, r io.Reader, framing frame.Options) *Source {
	return &Source{name: name, r: r, framing: framing, now: time.Now}
}

type chunk struct {
	b   []byte
	err error
}

// Run reads until the stream ends (then it returns nil, after delivering
// what was pending) or ctx ends.
func (s *Source) Run(ctx context.Context, scans chan<- scanner.Scan, events chan<- scanner.Event) error {
	chunks := make(chan chunk)
	go func() {
		// This goroutine may stay blocked in Read after ctx ends (stdin
		// cannot be interrupted); it exits when the stream does.
		for {
			buf := make([]byte, 4096)
			n, err := s.r.Read(buf)
			select {
			case chunks <- chunk{buf[:n], err}:
			case <-ctx.Done():
				return
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
			now := s.now()
			results = f.Feed(c.b, now)
			if c.err != nil {
				results = append(results, f.Flush()...)
				done = true
			}
		case now := <-tick.C:
			results = f.Idle(now)
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
