package protocol

import "github.com/doorcheck/doorcheck/sync/visit"

// VisitsPath is where kiosks upload visit batches.
const VisitsPath = Prefix + "/visits"

// Upload limits (docs/protocol.md).
const (
	MaxBatchVisits     = 1000
	MaxUploadWireBytes = 1 << 20 // the body as sent (gzip allowed)
	MaxUploadBytes     = 8 << 20 // the body after decompression
)

// UploadRequest is the body of POST /v1/visits.
type UploadRequest struct {
	Format int            `json:"format"` // visit.Format
	Visits []visit.Record `json:"visits"`
	// Backlog is how many visits the kiosk still holds unsent after this
	// batch, for the fleet list.
	Backlog uint64 `json:"backlog"`
	// SnapshotVersion is the kiosk's current snapshot version.
	SnapshotVersion uint64 `json:"snapshot_version"`
}

// VisitResult says what became of one uploaded visit.
type VisitResult string

const (
	ResultNew       VisitResult = "new"       // stored now
	ResultDuplicate VisitResult = "duplicate" // stored before: acknowledged all the same
	ResultRefused   VisitResult = "refused"   // never stored; see Code; do not retry as is
)

// Codes of refused visits.
const (
	CodeWrongDoor Code = "wrong_door" // the visit names a venue or door that is not the kiosk's
	CodeBadVisit  Code = "bad_visit"  // the record does not validate
)

// UploadResponse answers an upload, one result per visit in request order.
type UploadResponse struct {
	Results   []UploadResult `json:"results"`
	Conflicts int            `json:"conflicts"`
}

// UploadResult is the answer for one visit.
type UploadResult struct {
	ID     visit.ID    `json:"id"`
	Result VisitResult `json:"result"`
	Code   Code        `json:"code,omitempty"`
	// Conflict is set on a new admitted entry of a subject already inside
	// the venue through another door (stored all the same).
	Conflict bool `json:"conflict,omitempty"`
}
