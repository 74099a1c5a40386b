package hub

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// Storage is everything the hub keeps apart from key files and snapshot
// files. The bbolt backend (sync/hub/boltstore) is the embedded default;
// the PostgreSQL backend implements the same interface, so its shapes are
// SQL's: plain values, batch writes, time-ranged reads, and one atomic
// operation per invariant. Every method is safe for concurrent use.
//
// sync/hub/storagetest holds the assertions every backend must pass.
type Storage interface {
	// PublishSnapshot records a published snapshot version. Its files must
	// already be in place. v.Version must be exactly one above the latest
	// version (ErrVersionOrder otherwise), so two imports racing for the
	// same version cannot both publish.
	PublishSnapshot(ctx context.Context, v SnapshotVersion) error
	// LatestSnapshot returns the newest published version, or ErrNotFound.
	LatestSnapshot(ctx context.Context) (SnapshotVersion, error)
	// SnapshotVersions returns up to limit versions at or below newest,
	// newest first.
	SnapshotVersions(ctx context.Context, newest uint64, limit int) ([]SnapshotVersion, error)

	// CreateEnrollment stores a new one-time enrollment token (ErrExists
	// when its hash is taken).
	CreateEnrollment(ctx context.Context, e Enrollment) error
	// RedeemEnrollment spends a token and creates the kiosk it enrolls, in
	// one atomic step at time k.EnrolledAt: of two redeems of one token
	// exactly one succeeds. The kiosk's venue, door and direction come from
	// the enrollment. Errors: ErrTokenUnknown, ErrTokenUsed,
	// ErrTokenExpired.
	RedeemEnrollment(ctx context.Context, token TokenHash, k Kiosk) (Kiosk, error)
	// Kiosk returns one kiosk, or ErrNotFound.
	Kiosk(ctx context.Context, id string) (Kiosk, error)
	// Kiosks returns the whole fleet, ordered by id.
	Kiosks(ctx context.Context) ([]Kiosk, error)
	// RevokeKiosk marks a kiosk revoked at the given time (the first
	// revocation stands) and returns it; ErrNotFound for an unknown id.
	RevokeKiosk(ctx context.Context, id string, at time.Time) (Kiosk, error)
	// RecordContacts stores the latest contact of several kiosks in one
	// write; a contact older than the stored one is ignored, and unknown
	// fields (version 0, !HasBacklog) leave the stored values.
	RecordContacts(ctx context.Context, contacts []Contact) error

	// IngestVisits stores a batch of visits from one kiosk durably and
	// answers per visit, in order, whether it was new or already stored
	// (by id). Records are validated and authorised by the caller.
	//
	// It flags a conflict on a new admitted entry of a subject whose last
	// admitted movement at the same venue on the same day (Record.Day) was
	// an entry through another door: the person was let in twice without
	// an exit between. Conflicting visits are stored like any other.
	IngestVisits(ctx context.Context, kiosk string, visits []visit.Record) ([]IngestResult, error)
	// Visits calls fn with the stored visits whose At lies in [from, to),
	// in pages, ordered by At then id. A non-nil error from fn stops it.
	Visits(ctx context.Context, from, to time.Time, fn func([]visit.Record) error) error
	// Conflicts returns the conflicts flagged by IngestVisits whose visit's
	// At lies in [from, to), ordered by At.
	Conflicts(ctx context.Context, from, to time.Time) ([]Conflict, error)

	// Close releases the storage.
	Close() error
}

// Errors the backends return; match with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrExists       = errors.New("already exists")
	ErrVersionOrder = errors.New("snapshot version is not one above the latest")
	ErrTokenUnknown = errors.New("unknown enrollment token")
	ErrTokenUsed    = errors.New("enrollment token already redeemed")
	ErrTokenExpired = errors.New("enrollment token expired")
)

// SnapshotVersion is one published snapshot: its full file, the delta from
// the version before (Delta.Name empty for the first), and what it holds.
type SnapshotVersion struct {
	Version   uint64           `json:"version"`
	CreatedAt time.Time        `json:"created_at"`
	Entries   uint64           `json:"entries"`
	Red       uint64           `json:"red"`
	Yellow    uint64           `json:"yellow"`
	Green     uint64           `json:"green"`
	Full      protocol.FileRef `json:"full"`
	Delta     protocol.FileRef `json:"delta,omitzero"`
	// Transfer is the compact transfer form of Full (sync/transfer).
	Transfer protocol.FileRef `json:"transfer,omitzero"`
	// DCCTrust is the DCC signer trust list this version publishes
	// (dsc.go); empty when none was ever imported.
	DCCTrust protocol.FileRef `json:"dcc_trust,omitzero"`
}

// HasDelta reports whether a delta from the previous version was published
// with this one.
func (v SnapshotVersion) HasDelta() bool { return v.Delta.Name != "" }

// TokenHash is the SHA-256 of an enrollment token; the hub never stores the
// token itself.
type TokenHash [sha256.Size]byte

// HashToken returns the stored form of a token.
func HashToken(token []byte) TokenHash { return sha256.Sum256(token) }

// Enrollment is a one-time enrollment token's record.
type Enrollment struct {
	Token      TokenHash       `json:"token"`
	Venue      string          `json:"venue"`
	Door       string          `json:"door"`
	Direction  visit.Direction `json:"direction"`
	CreatedAt  time.Time       `json:"created_at"`
	ExpiresAt  time.Time       `json:"expires_at"`
	RedeemedAt time.Time       `json:"redeemed_at,omitzero"`
	Kiosk      string          `json:"kiosk,omitempty"` // set when redeemed
}

// Kiosk is one enrolled device.
type Kiosk struct {
	ID         string          `json:"id"`
	Venue      string          `json:"venue"`
	Door       string          `json:"door"`
	Direction  visit.Direction `json:"direction"`
	Device     string          `json:"device,omitempty"`
	SecretHash [32]byte        `json:"secret_hash"`
	EnrolledAt time.Time       `json:"enrolled_at"`
	RevokedAt  time.Time       `json:"revoked_at,omitzero"`
	// The latest contact, as RecordContacts last stored it.
	LastContact     time.Time `json:"last_contact,omitzero"`
	SnapshotVersion uint64    `json:"snapshot_version,omitempty"`
	Backlog         uint64    `json:"backlog,omitempty"`
}

// Revoked reports whether the kiosk has been revoked.
func (k Kiosk) Revoked() bool { return !k.RevokedAt.IsZero() }

// Contact is what a kiosk's request told the hub about it.
type Contact struct {
	Kiosk string
	At    time.Time
	// SnapshotVersion is the kiosk's version; 0 leaves the stored one.
	SnapshotVersion uint64
	// Backlog is how many visits the kiosk still holds unsent, when
	// HasBacklog (an upload reports it; a manifest poll does not).
	Backlog    uint64
	HasBacklog bool
}

// IngestResult is the answer for one visit of a batch.
type IngestResult struct {
	ID       visit.ID
	New      bool // false: stored before (a duplicate)
	Conflict bool // see Storage.IngestVisits
}
