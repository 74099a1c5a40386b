// Package sim plays a barcode scanner: it writes payloads to a serial port
// (or any writer) byte by byte at the pace of a real baud rate, with the
// scanner's terminator and a pause between codes. IT staff use it through
// `doorcheck sim`; tests use it on pseudo-terminals.
package sim

import (
	"context"
	"fmt"
	"io"
	"time"

	bugst "go.bug.st/serial"

	"github.com/doorcheck/doorcheck/scanner/frame"
)

// Options say how the simulated scanner sends.
type Options struct {
	Baud       int              // bits per second; 0 sends as fast as the writer takes
	Terminator frame.Terminator // what follows each payload
	Gap        time.Duration    // pause after each payload (default 100 ms)
	Prefix     string           // sent before each payload, e.g. an AIM id "]Q1"
	Repeat     int              // send each payload this many times (a scanner that double-sends)
}

// ByteTime is how long one byte takes on the wire at baud: a start bit,
// eight data bits and a stop bit.
func ByteTime(baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Second * 10 / time.Duration(baud)
}

// Write sends payloads to w as a scanner would.
func Write(ctx context.Context, w io.Writer, payloads []string, opt Options) error {
	if opt.Gap == 0 {
		opt.Gap = 100 * time.Millisecond
	}
	times := max(opt.Repeat, 1)
	for _, p := range payloads {
		for range times {
			if err := send(ctx, w, []byte(opt.Prefix+p+terminator(opt.Terminator)), ByteTime(opt.Baud)); err != nil {
				return err
			}
			if err := pause(ctx, opt.Gap); err != nil {
				return err
			}
		}
	}
	return nil
}

func terminator(t frame.Terminator) string {
	switch t {
	case frame.CR:
		return "\r"
	case frame.LF:
		return "\n"
	case frame.CRLF:
		return "\r\n"
	}
	return ""
}

// send writes b paced at per bytes: each byte goes out once its time on
// the wire has come, in as few writes as the timer allows.
func send(ctx context.Context, w io.Writer, b []byte, per time.Duration) error {
	if per == 0 {
		_, err := w.Write(b)
		return err
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
		time.Sleep(time.Until(start.Add(time.Duration(sent) * per)))
	}
	return nil
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Open opens a serial port (or the slave side of a pseudo-terminal) to
// write to at baud.
func Open(path string, baud int) (io.WriteCloser, error) {
	if baud <= 0 {
		baud = 9600
	}
	p, err := bugst.Open(path, &bugst.Mode{BaudRate: baud, DataBits: 8})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return p, nil
}
