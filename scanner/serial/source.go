// Package serial reads barcode scanners on serial ports — USB CDC
// (/dev/ttyACM*) and RS-232 adapters (/dev/ttyUSB*) — through
// go.bug.st/serial. The port is reopened, by its configured path, whenever
// it goes away, so a guard can unplug and replug the scanner at will.
package serial

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"time"

	bugst "go.bug.st/serial"

	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// pollEvery bounds how long one read may block with nothing pending. A
// cancelled context closes the port, which ends a blocked read at once;
// the bound is only a second line of defence.
const pollEvery = time.Second

// queueLen bounds the scans read but not yet taken by the consumer (the
// checker). While there is room the reader never waits for the checker,
// so it keeps reading as bytes arrive and idle gaps are measured on the
// line, not on the checker. A human at a door never fills it; a burst or
// a checker stalled for seconds can, and then the reader waits — it
// never drops a scan — and tells the framer it was away. Memory is at
// most queueLen × the framing's Max bytes (1 MiB at the defaults).
const queueLen = 256

// stableAfter is how long a connection must hold before the reopen
// backoff starts again from its minimum, so a device that opens and
// fails at once is not hammered.
const stableAfter = time.Second

// Source reads one serial scanner. It implements scanner.Source.
type Source struct {
	cfg  Config
	mode *bugst.Mode
	now  func() time.Time
	open func(path string, mode *bugst.Mode) (bugst.Port, error)
	rand func(n int64) int64
	// queue is the length of the queue of read scans (queueLen); when it
	// is full the reader calls queueFull, if set, before it waits.
	queue     int
	queueFull func()
}

// New checks cfg and returns a source.
func New(cfg Config) (*Source, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("serial scanner %s: %w", sanitize.Escape(cfg.Path), err)
	}
	mode, err := cfg.mode()
	if err != nil {
		return nil, fmt.Errorf("serial scanner %s: %w", sanitize.Escape(cfg.Path), err)
	}
	return &Source{cfg: cfg, mode: mode, now: time.Now, open: bugst.Open, rand: rand.Int64N, queue: queueLen}, nil
}

// Name is the source name scans and events carry: "serial:" and the
// configured path, as configured.
func (s *Source) Name() string { return "serial:" + s.cfg.Path }

// Run reads the scanner until ctx ends, then returns ctx.Err(). A missing
// or vanished port is reported as Disconnected — again only when the
// reason changes — and retried with jittered backoff; Run never returns
// for a device error. Scans are sent on scans, in order, through a
// bounded queue (see queueLen): codes read before an unplug are still
// delivered after it. Connected and Disconnected events block (the UI
// must drain events, or pass nil), while Dropped events are given up
// when events is full.
func (s *Source) Run(ctx context.Context, scans chan<- scanner.Scan, events chan<- scanner.Event) error {
	q := &queue{ready: make(chan scanner.Scan, max(s.queue, 1)), scans: scans, full: s.queueFull}
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		q.forward(ctx)
	}()
	defer func() { <-forwarded }()
	retry := newBackoff(s.cfg.ReopenMin, s.cfg.ReopenMax, s.rand)
	var reported string // the last Disconnected detail sent
	for ctx.Err() == nil {
		port, dev, err := s.openPort()
		if err != nil {
			detail := "scanner not available: " + describe(err)
			if detail != reported {
				s.state(ctx, events, scanner.Disconnected, detail)
				reported = detail
			}
			if !sleep(ctx, retry.wait()) {
				break
			}
			continue
		}
		opened := s.now()
		s.state(ctx, events, scanner.Connected, "scanner connected on "+sanitize.Escape(dev))
		err = s.read(ctx, port, q, events)
		port.Close()
		if ctx.Err() != nil {
			break
		}
		if s.now().Sub(opened) >= stableAfter {
			retry.reset()
		}
		reported = "scanner disconnected: " + describe(err)
		s.state(ctx, events, scanner.Disconnected, reported)
		if !sleep(ctx, retry.wait()) {
			break
		}
	}
	return ctx.Err()
}

// openPort resolves the configured path — a by-id link may point to a new
// ttyACM number after a replug, so the target is never cached — and
// opens what it points to. It returns the device it opened.
func (s *Source) openPort() (bugst.Port, string, error) {
	dev, err := filepath.EvalSymlinks(s.cfg.Path)
	if err != nil {
		return nil, "", err
	}
	p, err := s.open(dev, s.mode)
	if err != nil {
		return nil, dev, fmt.Errorf("open %s: %w", dev, err)
	}
	return p, dev, nil
}

// read frames the port's bytes until the port fails or ctx ends, and
// returns why it stopped.
//
// go.bug.st/serial tells the cases apart: a read that times out returns
// (0, nil); a device that went away returns an error — a PortError
// PortClosed when Linux leaves the tty readable with no data after an
// unplug, EIO from a pseudo-terminal whose master closed — and so does a
// port closed under the read, which is how a cancelled ctx ends it.
func (s *Source) read(ctx context.Context, port bugst.Port, q *queue, events chan<- scanner.Event) error {
	stop := context.AfterFunc(ctx, func() { port.Close() })
	defer stop()
	f := frame.New(s.cfg.Framing)
	buf := make([]byte, 512)
	for {
		if !s.deliver(ctx, f, f.Idle(s.now()), q, events) {
			return ctx.Err()
		}
		// Wake exactly when a pending payload's idle gap runs out.
		now := s.now()
		timeout := pollEvery
		if d, ok := f.Deadline(); ok {
			timeout = min(timeout, max(d.Sub(now), time.Millisecond))
		}
		if err := port.SetReadTimeout(timeout); err != nil {
			return fmt.Errorf("set read timeout: %w", err)
		}
		n, err := port.Read(buf)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var results []frame.Result
		if n > 0 {
			results = f.Feed(buf[:n], s.now())
		}
		if err != nil {
			// Deliver what was complete before the device went away.
			results = append(results, f.Flush()...)
		}
		if !s.deliver(ctx, f, results, q, events) {
			return ctx.Err()
		}
		if err != nil {
			return err
		}
	}
}

// deliver queues scans and reports drops; it is false if ctx ended
// first. It waits only when the queue is full, and then tells f that the
// reader was away, so the wait never counts as the line being idle.
func (s *Source) deliver(ctx context.Context, f *frame.Framer, results []frame.Result, q *queue, events chan<- scanner.Event) bool {
	for _, r := range results {
		if r.Dropped != "" {
			s.dropped(events, r)
			continue
		}
		switch q.put(ctx, scanner.Scan{Payload: r.Payload, Source: s.Name(), At: r.At}) {
		case putWaited:
			f.Resume(s.now())
		case putCancelled:
			return false
		}
	}
	return true
}

// state reports a change of connection state. It waits for the UI (or
// ctx), because a missed "disconnected" leaves a guard trusting a dead
// scanner.
func (s *Source) state(ctx context.Context, events chan<- scanner.Event, kind scanner.EventKind, detail string) {
	if events == nil {
		return
	}
	select {
	case events <- scanner.Event{Kind: kind, Source: s.Name(), Detail: detail, At: s.now()}:
	case <-ctx.Done():
	}
}

// dropped reports discarded input without ever blocking the reader: a
// UI that falls behind loses drop notices, never scans.
func (s *Source) dropped(events chan<- scanner.Event, r frame.Result) {
	if events == nil {
		return
	}
	select {
	case events <- scanner.Event{Kind: scanner.Dropped, Source: s.Name(), Detail: "scan ignored: " + sanitize.Escape(r.Dropped), At: r.At}:
	default:
	}
}

// describe says what went wrong in words IT staff can act on; the text
// is escaped, since paths and driver messages reach the screen.
func describe(err error) string {
	var pe *bugst.PortError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "not plugged in (" + sanitize.Escape(err.Error()) + ")"
	case errors.As(err, &pe) && pe.Code() == bugst.PermissionDenied, errors.Is(err, fs.ErrPermission):
		return "permission denied: add the kiosk user to the dialout group or install the udev rule (" + sanitize.Escape(err.Error()) + ")"
	case errors.As(err, &pe) && pe.Code() == bugst.PortBusy:
		return "port busy: another program holds it — often ModemManager (" + sanitize.Escape(err.Error()) + ")"
	}
	return sanitize.Escape(err.Error())
}

// sleep waits d, or less if ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
