package kiosk

import (
	"context"

	"github.com/doorcheck/doorcheck/scanner"
)

// Result is one scan's outcome, as the run loop hands it to a sink.
type Result struct {
	Source  string
	Verdict Verdict
	Err     error // ErrCannotRecord and friends: show it, never a colour
}

// Run is the loop the TUI and the headless mode share: it takes scans one
// at a time, checks each, and hands the result to sink. It returns when ctx
// ends or scans is closed. Scanner health events are not its business:
// callers read those from the source directly.
func (c *Checker) Run(ctx context.Context, scans <-chan scanner.Scan, sink func(Result)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case s, ok := <-scans:
			if !ok {
				return nil
			}
			v, err := c.Check(ctx, s.Payload, s.Source)
			sink(Result{Source: s.Source, Verdict: v, Err: err})
		}
	}
}
