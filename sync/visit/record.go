package visit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Format is the version of the upstream encoding of Record.
const Format = 1

// Bounds on free-text fields, so a hostile upload cannot make the hub store
// without limit.
const (
	MaxNameLen = 64 // kiosk, venue, door
	MaxReasons = 16
)

// Record is one visit as it travels upstream.
type Record struct {
	ID        ID          `json:"id"`
	At        time.Time   `json:"at"`  // the kiosk's recorded time; fixed across retries
	Day       string      `json:"day"` // venue-local date YYYY-MM-DD the visit counts for
	Kiosk     string      `json:"kiosk"`
	Venue     string      `json:"venue"`
	Door      string      `json:"door"`
	Direction Direction   `json:"direction"`
	Kind      PayloadKind `json:"kind"`
	// Subject is the keyed hash of the verified subject; zero when the
	// payload was not verified.
	Subject         Subject       `json:"subject,omitzero"`
	Status          wire.Status   `json:"status"`
	Decision        Decision      `json:"decision"`
	Reasons         []reason.Code `json:"reasons"`
	SnapshotVersion uint64        `json:"snapshot_version"`
	Undoes          ID            `json:"undoes,omitzero"`
}

// Subject is a subject key written as 32 hex digits.
type Subject wire.SubjectKey

// IsZero reports whether no subject is set.
func (s Subject) IsZero() bool { return s == Subject{} }

func (s Subject) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(s[:])), nil }

func (s *Subject) UnmarshalText(b []byte) error {
	if len(b) != 2*wire.SubjectKeySize {
		return fmt.Errorf("subject: want %d hex digits", 2*wire.SubjectKeySize)
	}
	_, err := hex.Decode(s[:], b)
	return err
}

// Validate checks what the hub needs to trust before storing a record.
func (r *Record) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.ID.IsZero() {
		bad("id is missing")
	}
	if r.At.IsZero() {
		bad("at is missing")
	}
	if _, err := time.Parse(time.DateOnly, r.Day); err != nil {
		bad("day is not YYYY-MM-DD")
	}
	for name, v := range map[string]string{"kiosk": r.Kiosk, "venue": r.Venue, "door": r.Door} {
		if v == "" || len(v) > MaxNameLen {
			bad("%s must be 1..%d bytes", name, MaxNameLen)
		}
	}
	if !r.Direction.Valid() {
		bad("direction is not entry or exit")
	}
	if !r.Kind.Valid() {
		bad("kind is not iin, pass, dcc or unknown")
	}
	if !r.Decision.Valid() {
		bad("decision is unknown")
	}
	if !r.Status.Valid() {
		bad("status is unknown")
	}
	if len(r.Reasons) > MaxReasons {
		bad("%d reasons, at most %d", len(r.Reasons), MaxReasons)
	}
	if r.Decision == Undo && r.Undoes.IsZero() {
		bad("an undo must name the visit it undoes")
	}
	if r.Decision != Undo && !r.Undoes.IsZero() {
		bad("only an undo names another visit")
	}
	return errors.Join(errs...)
}
