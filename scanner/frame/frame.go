// Package frame cuts a scanner's byte stream into payloads: at a
// terminator (CR, LF, CRLF) or an idle gap, with optional fixed
// prefix/suffix stripping and AIM symbology identifiers removed and
// checked against an allow-list. It is pure: bytes and times in, results
// out, so every framing rule is a unit test, and the serial reader and
// the headless stdin reader share it.
//
// Rules, in the order they apply to one payload:
//
//   - Bytes up to a terminator (or an idle gap) are one payload. A CR
//     followed by an LF ends it once, in every mode that has a
//     terminator, so a scanner sending CR LF never produces an empty
//     payload. Empty payloads are ignored.
//   - Input longer than Max is dropped, whole, with a reason; framing
//     starts again after the next terminator or gap. Memory never grows
//     past Max, however long the input.
//   - NUL bytes at either end are trimmed: serial adapters read a line
//     break — the scanner powering up, a cable plugged — as a NUL, which
//     would otherwise glue itself to the next code. Every other byte,
//     NUL inside the payload and control characters included, is kept:
//     the checker rejects such a payload as malformed, and staff see it
//     escaped.
//   - An AIM symbology identifier ("]" + code letter + modifier, e.g.
//     "]Q1" for QR) is stripped, before or after a configured Prefix;
//     then the Suffix is stripped.
//   - With an allow-list of symbologies, a payload without an identifier
//     or with another one is dropped: a stray EAN-13 from a product on
//     the counter is not a pass.
//
// Idle time is time the reader spent waiting for input that did not
// come. A reader that was away — blocked handing results to a checker
// that fell behind — says so with Resume: the bytes it reads next may
// have waited in the kernel's buffer all along, right behind the last
// ones, so the time away never ends a payload. A backlog never splits a
// code.
package frame

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/scanner"
)

// Defaults for Options left zero.
const (
	DefaultGap = 50 * time.Millisecond
	DefaultMax = scanner.MaxPayload
)

// Terminator says what ends a payload.
type Terminator int

const (
	CR   Terminator = iota // carriage return (most scanners' default); an LF right after it is ignored
	LF                     // line feed; a CR right before it is dropped
	CRLF                   // CR LF; a lone CR or LF also ends a payload
	None                   // no terminator: an idle gap ends a payload; CR and LF are data
)

// ParseTerminator parses "cr", "lf", "crlf" or "none"; "" means cr.
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
	switch t {
	case CR:
		return "cr"
	case LF:
		return "lf"
	case CRLF:
		return "crlf"
	case None:
		return "none"
	}
	return fmt.Sprintf("Terminator(%d)", int(t))
}

// Bytes is what a scanner sends after each payload.
func (t Terminator) Bytes() string {
	switch t {
	case CR:
		return "\r"
	case LF:
		return "\n"
	case CRLF:
		return "\r\n"
	}
	return ""
}

// Options configure a Framer. The zero value frames CR-terminated
// payloads of up to DefaultMax bytes.
type Options struct {
	Terminator Terminator
	// Gap is the idle time that ends a payload with Terminator None
	// (default 50 ms). With a terminator, input left idle for
	// max(4×Gap, 200 ms) is taken as a payload whose terminator never
	// came, because some scanners are set to send none. Time the reader
	// was away (see Resume) is not idle time.
	Gap time.Duration
	// Prefix and Suffix are fixed texts the scanner adds; they are
	// stripped when present.
	Prefix, Suffix string
	// Symbologies lists the AIM identifiers to accept: "]Q1" accepts
	// exactly that one, "]Q" any QR modifier. When empty, identifiers are
	// stripped and every symbology is accepted. When set, a payload
	// without an identifier or with another one is dropped: that is how
	// stray 1D barcodes are ignored.
	Symbologies []string
	// Max bounds one payload in bytes, as sent, framing included
	// (default DefaultMax).
	Max int
}

// Validate reports options that can never frame what was meant.
func (o Options) Validate() error {
	if o.Terminator < CR || o.Terminator > None {
		return fmt.Errorf("framing: unknown terminator %d", int(o.Terminator))
	}
	if o.Gap < 0 || o.Max < 0 {
		return fmt.Errorf("framing: gap %v and max length %d must not be negative", o.Gap, o.Max)
	}
	for _, s := range o.Symbologies {
		if !(len(s) == 2 && isAIM([]byte(s+"0")) || len(s) == 3 && isAIM([]byte(s))) {
			return fmt.Errorf("framing: symbology %q: want an AIM identifier like ]Q1 (or ]Q for any modifier)", s)
		}
	}
	if t := o.Terminator.Bytes(); t != "" && (strings.ContainsAny(o.Prefix, t) || strings.ContainsAny(o.Suffix, t)) {
		return fmt.Errorf("framing: prefix %q or suffix %q holds the terminator", o.Prefix, o.Suffix)
	}
	return nil
}

// Result is one framed payload, or one dropped chunk of input.
type Result struct {
	Payload   string    // the payload, framing removed; empty when Dropped
	Symbology string    // the AIM identifier that was stripped, if any
	Dropped   string    // why the input was dropped; empty for a payload
	Bytes     int       // input bytes the result covers
	At        time.Time // when its last byte arrived; strictly increasing
}

// Framer frames one byte stream. It is not safe for concurrent use.
type Framer struct {
	opt       Options
	buf       []byte    // the pending payload, at most opt.Max bytes
	over      int       // bytes discarded since the pending payload overflowed
	pending   bool      // bytes arrived since the last result
	last      time.Time // when the pending payload's last byte arrived
	resumed   time.Time // when the reader last came back from being away (Resume)
	afterCR   bool      // the previous byte was a CR that ended a payload
	heldCR    bool      // LF mode: a CR that ends the payload if an LF follows
	lastEnded time.Time // At of the last result
}

// New returns a framer. Options are used as given; call Validate first
// on options from a configuration file.
func New(opt Options) *Framer {
	if opt.Gap <= 0 {
		opt.Gap = DefaultGap
	}
	if opt.Max <= 0 {
		opt.Max = DefaultMax
	}
	return &Framer{opt: opt, buf: make([]byte, 0, min(opt.Max, 512))}
}

// Feed takes bytes that arrived at now and returns the results they
// complete. If the line was idle long enough since the previous bytes
// (and since the reader last resumed), the pending payload ends first,
// as Idle would have ended it.
func (f *Framer) Feed(p []byte, now time.Time) []Result {
	out := f.Idle(now)
	term := f.opt.Terminator
	for _, c := range p {
		if term == None {
			f.add(c)
			continue
		}
		if c == '\n' && f.afterCR {
			f.afterCR = false // the LF of a CR LF pair
			continue
		}
		f.afterCR = false
		switch {
		case c == '\r' && term == LF:
			if f.heldCR {
				f.add('\r') // two CRs: the first was data
			}
			f.heldCR, f.pending = true, true
		case c == '\r':
			out = f.end(out, now)
			f.afterCR = true
		case c == '\n' && term != CR:
			f.heldCR = false
			out = f.end(out, now)
		default:
			if f.heldCR {
				f.heldCR = false
				f.add('\r')
			}
			f.add(c)
		}
	}
	if f.pending && len(p) > 0 {
		f.last = now
	}
	return out
}

// add appends one payload byte, or counts it once the payload is too long.
func (f *Framer) add(c byte) {
	f.pending = true
	if f.over > 0 || len(f.buf) == f.opt.Max {
		f.over++
		return
	}
	f.buf = append(f.buf, c)
}

// Idle ends the pending payload if the line has been quiet long enough
// at now; call it when a read times out. See Deadline.
func (f *Framer) Idle(now time.Time) []Result {
	if f.pending && now.Sub(f.quietSince()) >= f.idleLimit() {
		return f.end(nil, f.last)
	}
	return nil
}

// Resume tells the framer that its reader stopped reading for a while —
// it was blocked handing results on to a consumer that fell behind — and
// reads again from now. Whatever arrived meanwhile waited in a buffer and
// is read at once, so it may belong to the pending payload: idle time
// counts afresh from now. An idle-ended payload is still stamped with
// its last byte. Resume never makes a gap shorter: a time before the
// last byte changes nothing.
func (f *Framer) Resume(now time.Time) {
	if now.After(f.resumed) {
		f.resumed = now
	}
}

// quietSince is when the current idle stretch began: the pending
// payload's last byte, or the reader's return, whichever is later.
func (f *Framer) quietSince() time.Time {
	if f.resumed.After(f.last) {
		return f.resumed
	}
	return f.last
}

// Flush ends the pending payload now, whatever the time: the stream
// ended or the device went away, and no more bytes will come.
func (f *Framer) Flush() []Result {
	if !f.pending {
		return nil
	}
	return f.end(nil, f.last)
}

// Deadline returns when Idle would next end a payload, if one is pending.
// A reader sets its read timeout to it.
func (f *Framer) Deadline() (time.Time, bool) {
	if !f.pending {
		return time.Time{}, false
	}
	return f.quietSince().Add(f.idleLimit()), true
}

func (f *Framer) idleLimit() time.Duration {
	if f.opt.Terminator == None {
		return f.opt.Gap
	}
	return max(4*f.opt.Gap, 200*time.Millisecond)
}

// end closes the pending input as a result, stamped at, and resets the
// framer for the next payload.
func (f *Framer) end(out []Result, at time.Time) []Result {
	defer func() {
		f.buf, f.over, f.pending, f.heldCR = f.buf[:0], 0, false, false
	}()
	var r Result
	switch {
	case f.over > 0:
		n := len(f.buf) + f.over
		r = Result{Dropped: fmt.Sprintf("input of %d bytes is over the %d-byte limit", n, f.opt.Max), Bytes: n}
	default:
		r = f.clean(f.buf)
		r.Bytes = len(f.buf)
		if f.heldCR {
			r.Bytes++
		}
		if r.Dropped == "" && r.Payload == "" {
			return out // nothing but framing: not a payload
		}
	}
	// Two results never share a time, so the same code sent twice in
	// one read is still two distinct scans.
	if !at.After(f.lastEnded) {
		at = f.lastEnded.Add(time.Nanosecond)
	}
	r.At, f.lastEnded = at, at
	return append(out, r)
}

// clean trims NULs, strips the AIM identifier, prefix and suffix, and
// applies the symbology allow-list.
func (f *Framer) clean(b []byte) Result {
	b = bytes.Trim(b, "\x00")
	var r Result
	if isAIM(b) {
		r.Symbology, b = string(b[:3]), b[3:]
	}
	b = bytes.TrimPrefix(b, []byte(f.opt.Prefix))
	if r.Symbology == "" && isAIM(b) {
		r.Symbology, b = string(b[:3]), b[3:]
	}
	b = bytes.TrimSuffix(b, []byte(f.opt.Suffix))
	if len(f.opt.Symbologies) > 0 && len(b) > 0 {
		switch {
		case r.Symbology == "":
			return Result{Dropped: "no symbology identifier (the scanner is set to send them)"}
		case !allowed(f.opt.Symbologies, r.Symbology):
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

// allowed matches id against the allow-list; a two-character entry such
// as "]Q" accepts any modifier.
func allowed(list []string, id string) bool {
	return slices.Contains(list, id) || slices.Contains(list, id[:2])
}
