package store

import (
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// VisitID identifies a visit record everywhere: the kiosk's log, the
// upload, the hub. It is a UUIDv7: 48 bits of milliseconds, so ids sort
// by time, and 74 random bits, so the hub can keep each upload exactly
// once.
type VisitID [16]byte

// NewVisitID makes a UUIDv7 for time t from rand.
func NewVisitID(t time.Time, rand io.Reader) (VisitID, error) {
	var id VisitID
	if _, err := io.ReadFull(rand, id[6:]); err != nil {
		return id, fmt.Errorf("visit id: read randomness: %w", err)
	}
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		id[i] = byte(ms >> (40 - 8*i))
	}
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id, nil
}

// String formats the id as a UUID.
func (id VisitID) String() string {
	h := hex.EncodeToString(id[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// IsZero reports whether id is unset.
func (id VisitID) IsZero() bool { return id == VisitID{} }

// MarshalText implements encoding.TextMarshaler.
func (id VisitID) MarshalText() ([]byte, error) {
	if id.IsZero() {
		return []byte{}, nil
	}
	return []byte(id.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *VisitID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = VisitID{}
		return nil
	}
	var clean []byte
	for _, c := range b {
		if c != '-' {
			clean = append(clean, c)
		}
	}
	if len(clean) != 32 {
		return fmt.Errorf("visit id %q: want a UUID", b)
	}
	_, err := hex.Decode(id[:], clean)
	return err
}

// Verdict values a visit record carries: sync/visit's decisions, so the
// record crosses package boundaries typed and uploads without string
// matching. On disk they are the same words as before ("admit", …).
const (
	VerdictAdmit       = sv.Admit
	VerdictDeny        = sv.Deny
	VerdictNotVerified = sv.NotVerified
	VerdictUndo        = sv.Undo
	// VerdictOverride is an admin admitting a denied visitor anyway: an
	// entry of its own, counted apart (Counters.Overrides), with the
	// admin's OverrideReason.
	VerdictOverride = sv.Override
)

// Visit is one decision as recorded. It never holds a raw IIN or payload;
// Subject is the keyed hash, zero when the payload was not verified.
type Visit struct {
	ID              VisitID         `json:"id"`
	At              time.Time       `json:"at"`
	Day             string          `json:"day"` // venue-local date the counters go to
	Kiosk           string          `json:"kiosk"`
	Venue           string          `json:"venue"`
	Door            string          `json:"door"`
	Direction       sv.Direction    `json:"direction"` // entry | exit
	Subject         wire.SubjectKey `json:"-"`
	Kind            sv.PayloadKind  `json:"kind"`   // iin | pass | dcc | unknown
	Status          string          `json:"status"` // red | yellow | blue | green | ""
	Verdict         sv.Decision     `json:"verdict"`
	Reasons         []reason.Code   `json:"reasons"`
	SnapshotVersion uint64          `json:"snapshot_version"`
	Undoes          VisitID         `json:"undoes,omitempty"`
	// OverrideReason is why an admin admitted the visitor anyway (a
	// ui.override_reasons code); set exactly on VerdictOverride visits.
	OverrideReason string `json:"override_reason,omitempty"`
}

// visitRecord is Visit's stored JSON: the subject key in hex, and what
// the visit did to Counters.Inside.
type visitRecord struct {
	Visit
	SubjectHex string `json:"subject,omitempty"`
	// InsideEffect is what recording the visit added to Inside (-1, 0 or
	// +1), so that its undo takes back exactly that whatever happened
	// since; absent on undos and on visits recorded before it was kept.
	InsideEffect *int `json:"inside_effect,omitempty"`
}

// insideEffect is what the visit did to Inside when it was recorded. A
// visit from before the effect was kept had done what Inside then was,
// entries minus exits: an admitted entry +1, an exit -1.
func (r visitRecord) insideEffect() int {
	switch {
	case r.InsideEffect != nil:
		return *r.InsideEffect
	case r.Verdict != VerdictAdmit && r.Verdict != VerdictOverride:
		return 0
	case r.Direction == sv.Exit:
		return -1
	}
	return +1
}
