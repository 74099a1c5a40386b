package protocol

import "time"

// ProtocolVersion is the protocol generation served under Prefix.
const ProtocolVersion = 1

// Health is the body of /v1/health.
type Health struct {
	Status          string    `json:"status"` // "ok" or "unavailable"
	Protocol        int       `json:"protocol"`
	SnapshotVersion uint64    `json:"snapshot_version"`
	PublishedAt     time.Time `json:"published_at,omitzero"`
	Time            time.Time `json:"time"`
	Message         string    `json:"message,omitempty"`
}
