// Package sim plays a barcode scanner: it writes payloads to a serial port
// (or any writer) byte by byte at the pace of a real baud rate, with the
// scanner's terminator and a pause between codes. IT staff use it through
// `doorcheck sim`; tests use it on pseudo-terminals.
package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	bugst "go.bug.st/serial"

	"github.com/doorcheck/doorcheck/scanner/frame"
)

// DefaultGap is the pause after each payload when Options.Gap is zero:
// about how long a person takes to present the next code, and well over
// the 50 ms idle gap that ends a code with terminator none.
const DefaultGap = 100 * time.Millisecond

// Options say how the simulated scanner sends.
type Options struct {
	Baud       int              // bits per second; 0 sends as fast as the writer takes
	Terminator frame.Terminator // what follows each payload
	Gap        time.Duration    // pause between payloads (default DefaultGap)
	Prefix     string           // sent before each payload, e.g. an AIM id "]Q1"
	Repeat     int              // send each payload this many times (a scanner that double-sends)
}

// ByteTime is how long one byte takes on the wire at baud with 8N1
// framing: a start bit, eight data bits and a stop bit. At 9600 baud that
// is about 1.04 ms, at 115200 about 87 µs.
func ByteTime(baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Second * 10 / time.Duration(baud)
}

// Write sends payloads to w as a scanner would: each one prefixed,
// terminated and paced by the baud rate, with a pause between payloads.
// It stops early, with ctx's error, when ctx ends.
func Write(ctx context.Context, w io.Writer, payloads []string, opt Options) error {
	if opt.Gap == 0 {
		opt.Gap = DefaultGap
	}
	per := ByteTime(opt.Baud)
	first := true
	for _, p := range payloads {
		for range max(opt.Repeat, 1) {
			if !first {
				if err := pause(ctx, opt.Gap); err != nil {
					return err
				}
			}
			first = false
			if err := send(ctx, w, []byte(opt.Prefix+p+opt.Terminator.Bytes()), per); err != nil {
				return err
			}
		}
	}
	return nil
}

// send writes b paced at per bytes: each byte goes out once its time on
// the wire has come, in as few writes as the timer allows (at 115200 baud
// the bytes come faster than a sleep can end, so a few go together, as
// they do in a USB packet).
func send(ctx context.Context, w io.Writer, b []byte, per time.Duration) error {
	if per == 0 {
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("simulated scanner: write: %w", err)
		}
		return nil
	}
	start := time.Now()
	for sent := 0; sent < len(b); {
		if err := ctx.Err(); err != nil {
			return err
		}
		due := min(len(b), int(time.Since(start)/per)+1)
		if due > sent {
			if _, err := w.Write(b[sent:due]); err != nil {
				return fmt.Errorf("simulated scanner: write: %w", err)
			}
			sent = due
			continue
		}
		// Pacing, not synchronisation: this is the wire's speed.
		time.Sleep(time.Until(start.Add(time.Duration(sent) * per)))
	}
	return nil
}

func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// MaxLine bounds one line of a payload file; longer lines are an error.
// It is far over any scanner's limit so that overlong codes can be sent
// on purpose.
const MaxLine = 1 << 20

// ReadPayloads reads one payload per line, as `doorcheck sim --file`
// does: a CR before the LF is dropped, and empty lines are skipped.
func ReadPayloads(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	for sc.Scan() {
		if line := strings.TrimSuffix(sc.Text(), "\r"); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("payload %d: line over %d bytes", len(out)+1, MaxLine)
		}
		return nil, fmt.Errorf("read payloads: %w", err)
	}
	return out, nil
}

// Open opens a serial port — or the slave side of a pseudo-terminal,
// where the baud rate is accepted and ignored — to write to at baud, 8N1
// (baud 0 means 9600). Closing it waits until the bytes have left.
func Open(path string, baud int) (io.WriteCloser, error) {
	if baud <= 0 {
		baud = 9600
	}
	p, err := bugst.Open(path, &bugst.Mode{BaudRate: baud, DataBits: 8})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return drainingPort{p}, nil
}

// drainingPort waits for the output buffer to empty before closing, so
// that the last code is not cut off when `doorcheck sim` exits.
type drainingPort struct{ bugst.Port }

func (p drainingPort) Close() error {
	derr := p.Drain()
	if err := p.Port.Close(); err != nil {
		return fmt.Errorf("close port: %w", err)
	}
	if derr != nil {
		return fmt.Errorf("drain port: %w", derr)
	}
	return nil
}
