// Package serial reads barcode scanners on serial ports — USB CDC
// (/dev/ttyACM*) and RS-232 adapters (/dev/ttyUSB*) — through
// go.bug.st/serial. The port is reopened, by its configured path, whenever
// it goes away, so a guard can unplug and replug the scanner at will.
package serial

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	bugst "go.bug.st/serial"

	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
)

// Config is one serial scanner.
type Config struct {
	// Path is the port. Prefer a stable /dev/serial/by-id/… link: it is
	// resolved afresh at every open, so the scanner may come back as
	// another ttyACM number.
	Path     string
	Baud     int    // default 9600
	DataBits int    // default 8
	Parity   string // none (default), odd, even, mark, space
	StopBits string // 1 (default), 1.5, 2
	Framing  frame.Options
	// ReopenMin and ReopenMax bound the backoff between attempts to open
	// a missing port (defaults 100 ms and 5 s); each wait has jitter.
	ReopenMin, ReopenMax time.Duration
	// ReadTimeout is how often a quiet port is checked for an idle gap and
	// for cancellation (default 5 ms).
	ReadTimeout time.Duration
}

// Source reads one serial scanner. It implements scanner.Source.
type Source struct {
	cfg  Config
	mode *bugst.Mode
	now  func() time.Time
	open func(path string, mode *bugst.Mode) (bugst.Port, error)
}

// New checks cfg and returns a source.
func New(cfg Config) (*Source, error) {
	if cfg.Path == "" {
		return nil, errors.New("serial scanner: no port path")
	}
	mode, err := modeOf(cfg)
	if err != nil {
		return nil, fmt.Errorf("serial scanner %s: %w", cfg.Path, err)
	}
	if cfg.ReopenMin <= 0 {
		cfg.ReopenMin = 100 * time.Millisecond
	}
	if cfg.ReopenMax < cfg.ReopenMin {
		cfg.ReopenMax = max(5*time.Second, cfg.ReopenMin)
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 5 * time.Millisecond
	}
	return &Source{cfg: cfg, mode: mode, now: time.Now, open: bugst.Open}, nil
}

func modeOf(cfg Config) (*bugst.Mode, error) {
	m := &bugst.Mode{BaudRate: cfg.Baud, DataBits: cfg.DataBits}
	if m.BaudRate == 0 {
		m.BaudRate = 9600
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	switch cfg.Parity {
	case "", "none":
		m.Parity = bugst.NoParity
	case "odd":
		m.Parity = bugst.OddParity
	case "even":
		m.Parity = bugst.EvenParity
	case "mark":
		m.Parity = bugst.MarkParity
	case "space":
		m.Parity = bugst.SpaceParity
	default:
		return nil, fmt.Errorf("parity %q: want none, odd, even, mark or space", cfg.Parity)
	}
	switch cfg.StopBits {
	case "", "1":
		m.StopBits = bugst.OneStopBit
	case "1.5":
		m.StopBits = bugst.OnePointFiveStopBits
	case "2":
		m.StopBits = bugst.TwoStopBits
	default:
		return nil, fmt.Errorf("stop bits %q: want 1, 1.5 or 2", cfg.StopBits)
	}
	return m, nil
}

// Name is the source name scans and events carry.
func (s *Source) Name() string { return "serial:" + s.cfg.Path }

// Run reads the scanner until ctx ends. A missing or vanished port is
// reported once as Disconnected and retried with jittered backoff; it
// never returns for a device error.
func (s *Source) Run(ctx context.Context, scans chan<- scanner.Scan, events chan<- scanner.Event) error {
	wait := s.cfg.ReopenMin
	connected := false
	var lastErr string
	for ctx.Err() == nil {
		port, err := s.openPort()
		if err != nil {
			if connected || lastErr == "" {
				s.event(ctx, events, scanner.Disconnected, fmt.Sprintf("scanner not available: %v", err))
			}
			connected, lastErr = false, err.Error()
			if !sleep(ctx, jitter(wait)) {
				break
			}
			wait = min(2*wait, s.cfg.ReopenMax)
			continue
		}
		wait, connected, lastErr = s.cfg.ReopenMin, true, ""
		s.event(ctx, events, scanner.Connected, "scanner connected")
		err = s.read(ctx, port, scans, events)
		port.Close()
		if ctx.Err() != nil {
			break
		}
		s.event(ctx, events, scanner.Disconnected, fmt.Sprintf("scanner disconnected: %v", err))
		connected, lastErr = false, "disconnected"
	}
	return ctx.Err()
}

// openPort resolves the configured path (a by-id link may point to a new
// ttyACM number after a replug) and opens it.
func (s *Source) openPort() (bugst.Port, error) {
	path, err := filepath.EvalSymlinks(s.cfg.Path)
	if err != nil {
		return nil, err
	}
	p, err := s.open(path, s.mode)
	if err != nil {
		return nil, err
	}
	if err := p.SetReadTimeout(s.cfg.ReadTimeout); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// read frames the port's bytes until it fails or ctx ends. Cancellation
// is seen within one read timeout; Close on another goroutine would also
// unblock the read.
func (s *Source) read(ctx context.Context, port bugst.Port, scans chan<- scanner.Scan, events chan<- scanner.Event) error {
	f := frame.New(s.cfg.Framing)
	buf := make([]byte, 512)
	for ctx.Err() == nil {
		n, err := port.Read(buf)
		now := s.now()
		var results []frame.Result
		switch {
		case err != nil:
			// Deliver what was complete before the device went away.
			s.deliver(ctx, f.Idle(now.Add(time.Hour)), scans, events)
			return err
		case n == 0:
			results = f.Idle(now)
		default:
			results = f.Feed(buf[:n], now)
		}
		s.deliver(ctx, results, scans, events)
	}
	return ctx.Err()
}

func (s *Source) deliver(ctx context.Context, results []frame.Result, scans chan<- scanner.Scan, events chan<- scanner.Event) {
	for _, r := range results {
		if r.Dropped != "" {
			s.event(ctx, events, scanner.Dropped, "scan ignored: "+r.Dropped)
			continue
		}
		select {
		case scans <- scanner.Scan{Payload: r.Payload, Source: s.Name(), At: r.At}:
		case <-ctx.Done():
			return
		}
	}
}

// event reports health without ever blocking the reader: a UI that is not
// listening loses events, never scans.
func (s *Source) event(ctx context.Context, events chan<- scanner.Event, kind scanner.EventKind, detail string) {
	if events == nil {
		return
	}
	select {
	case events <- scanner.Event{Kind: kind, Source: s.Name(), Detail: detail, At: s.now()}:
	case <-ctx.Done():
	default:
	}
}

// jitter spreads d over [d/2, d), so many kiosks do not retry in step.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}

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
