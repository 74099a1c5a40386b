// Package frame cuts a scanner's byte stream into payloads: at a
// terminator (CR, LF, CRLF) or an idle gap, with optional fixed
// prefix/suffix stripping and AIM symbology identifiers removed and
// checked against an allow-list. It is pure: bytes and times in, results
// out, so every framing rule is a unit test, and the serial reader and
// the headless stdin reader share it.
package frame

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Terminator says what ends a payload.
type Terminator int

const (
	CR   Terminator = iota // carriage return (most scanners' default)
	LF                     // line feed; a CR just before it is dropped
	CRLF                   // CR LF; a lone CR or LF also ends a payload
	None                   // no terminator: an idle gap ends a payload
)

// ParseTerminator parses "cr", "lf", "crlf" or "none".
func ParseTerminator(s string) (Terminator, error) {
	switch strings.ToLower(s) {
	case "cr", "":
		return CR, nil
	case "lf":
		return LF, nil
	case "crlf":
		return CRLF, nil
	case "none":
		return None, nil
	}
	return 0, fmt.Errorf("terminator %q: want cr, lf, crlf or none", s)
}

func (t Terminator) String() string {
	return [...]string{"cr", "lf", "crlf", "none"}[t]
}

// Options configure a Framer.
type Options struct {
	Terminator Terminator
	// Gap is the idle time that ends a payload with Terminator None
	// (default 50 ms). With a terminator, input left idle for
	// max(4×Gap, 200 ms) is taken as a payload whose terminator never
	// came, because some scanners send none.
	Gap time.Duration
	// Prefix and Suffix are fixed texts the scanner adds; they are
	// stripped when present.
	Prefix, Suffix string
	// Symbologies lists the AIM identifiers ("]Q1", "]Q3", "]d2"…) to
	// accept. When empty, identifiers are stripped and every symbology is
	// accepted. When set, a payload without an identifier or with another
	// one is dropped: that is how stray 1D barcodes are ignored.
	Symbologies []string
	// Max bounds one payload in bytes (default 4096). Longer input is
	// dropped, and framing resynchronises at the next terminator or gap.
	Max int
}

// Result is one framed payload, or one dropped chunk of input.
type Result struct {
	Payload   string    // the payload, framing removed; empty when Dropped
	Symbology string    // the AIM identifier that was stripped, if any
	Dropped   string    // why the input was dropped; empty for a payload
	Bytes     int       // input bytes the result covers
	At        time.Time // when its last byte arrived
}

// Framer frames one byte stream. It is not safe for concurrent use.
type Framer struct {
	opt      Options
	buf      []byte
	over     int // bytes discarded since the buffer overflowed
	last     time.Time
	afterCR  bool // the previous byte was a CR terminator
	inputted bool // bytes arrived since the last result
}

// New returns a framer.
func New(opt Options) *Framer {
	if opt.Gap <= 0 {
		opt.Gap = 50 * time.Millisecond
	}
	if opt.Max <= 0 {
		opt.Max = 4096
	}
	return &Framer{opt: opt, buf: make([]byte, 0, min(opt.Max, 512))}
}

// Feed takes bytes that arrived at now and returns the results they
// complete. A gap since the previous bytes ends the pending payload first.
func (f *Framer) Feed(p []byte, now time.Time) []Result {
	var out []Result
	if f.inputted && now.Sub(f.last) >= f.idleLimit() {
		out = f.end(out, f.last)
	}
	for _, c := range p {
		switch {
		case c == '\n' && f.afterCR:
			f.afterCR = false // the LF of a CR LF pair
			continue
		case c == '\r' && f.opt.Terminator != None && f.opt.Terminator != LF:
			out = f.end(out, now)
			f.afterCR = true
			continue
		case c == '\n' && (f.opt.Terminator == LF || f.opt.Terminator == CRLF):
			if f.opt.Terminator == LF && len(f.buf) > 0 && f.buf[len(f.buf)-1] == '\r' {
				f.buf = f.buf[:len(f.buf)-1]
			}
			out = f.end(out, now)
			continue
		}
		f.afterCR = false
		f.inputted = true
		if f.over > 0 || len(f.buf) == f.opt.Max {
			f.over++
			continue
		}
		f.buf = append(f.buf, c)
	}
	if f.inputted {
		f.last = now
	}
	return out
}

// Idle ends the pending payload when the line has been quiet long enough;
// call it when a read times out.
func (f *Framer) Idle(now time.Time) []Result {
	if f.inputted && now.Sub(f.last) >= f.idleLimit() {
		return f.end(nil, f.last)
	}
	return nil
}

// Deadline returns when Idle would next end a payload, if one is pending.
func (f *Framer) Deadline() (time.Time, bool) {
	if !f.inputted {
		return time.Time{}, false
	}
	return f.last.Add(f.idleLimit()), true
}

func (f *Framer) idleLimit() time.Duration {
	if f.opt.Terminator == None {
		return f.opt.Gap
	}
	return max(4*f.opt.Gap, 200*time.Millisecond)
}

// end closes the pending input as a result.
func (f *Framer) end(out []Result, at time.Time) []Result {
	defer func() {
		f.buf, f.over, f.inputted = f.buf[:0], 0, false
	}()
	if f.over > 0 {
		n := len(f.buf) + f.over
		return append(out, Result{Dropped: fmt.Sprintf("input of %d bytes is over the %d-byte limit", n, f.opt.Max), Bytes: n, At: at})
	}
	if len(f.buf) == 0 {
		return out
	}
	r := f.clean(f.buf)
	r.Bytes, r.At = len(f.buf), at
	if r.Dropped == "" && r.Payload == "" {
		return out
	}
	return append(out, r)
}

// clean strips prefix, suffix and AIM identifier, and applies the
// symbology allow-list.
func (f *Framer) clean(b []byte) Result {
	b = bytes.TrimPrefix(b, []byte(f.opt.Prefix))
	b = bytes.TrimSuffix(b, []byte(f.opt.Suffix))
	var r Result
	if isAIM(b) {
		r.Symbology, b = string(b[:3]), b[3:]
	}
	if len(f.opt.Symbologies) > 0 {
		switch {
		case r.Symbology == "":
			return Result{Dropped: "no symbology identifier (the scanner is set to send them)"}
		case !contains(f.opt.Symbologies, r.Symbology):
			return Result{Dropped: fmt.Sprintf("symbology %s is not allowed (a stray barcode?)", r.Symbology), Symbology: r.Symbology}
		}
	}
	r.Payload = string(b)
	return r
}

// isAIM reports whether b starts with an AIM symbology identifier: "]",
// a code character (a letter) and a modifier (a digit or letter).
func isAIM(b []byte) bool {
	return len(b) >= 3 && b[0] == ']' && isLetter(b[1]) && (isLetter(b[2]) || b[2] >= '0' && b[2] <= '9')
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
