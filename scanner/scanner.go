// Package scanner turns hardware input into payloads: serial scanners,
// keyboard-wedge bursts, QR images and a simulator. Scanners never know about
// verdicts; they deliver Scans and report their own health as Events.
package scanner

import (
	"context"
	"time"
)

// MaxPayload is the default bound on one payload, in bytes. Longer input is
// dropped with a reason and framing resynchronises at the next terminator.
const MaxPayload = 4096

// Scan is one payload read from a source. Payload is untrusted bytes (held in
// a string): escape it with sanitize.Escape before it reaches a screen or log.
// A source never delivers an empty payload, and two scans from one source
// never share an At, so the same code sent twice is two scans.
type Scan struct {
	Payload string    // raw bytes as read, framing and identifiers removed
	Source  string    // where it came from: "serial:/dev/ttyACM0", "wedge", "manual", "image:FILE", "sim"
	At      time.Time // when the last byte arrived
}

// EventKind says what happened to a source.
type EventKind int

const (
	Connected    EventKind = iota // the device is open and reading
	Disconnected                  // the device went away; the source keeps retrying
	Dropped                       // input was discarded (too long, symbology not allowed…)
)

// String names the kind for logs: "connected", "disconnected", "dropped".
func (k EventKind) String() string {
	switch k {
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	case Dropped:
		return "dropped"
	}
	return "unknown"
}

// Event reports the health of a source to the UI, never a payload.
type Event struct {
	Kind   EventKind
	Source string
	Detail string // human-readable, already safe to show
	At     time.Time
}

// Source produces scans until ctx is cancelled. Run returns when ctx is done
// or on an unrecoverable configuration error; transient device errors are
// reported as Events and retried with backoff. Implementations must not
// block forever on a full channel once ctx is done.
type Source interface {
	Run(ctx context.Context, scans chan<- Scan, events chan<- Event) error
}
