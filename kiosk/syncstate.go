package kiosk

import "time"

// Connectivity is what the kiosk knows of its link to the hub.
type Connectivity int

const (
	// NoHub: no hub is configured (a demo, or a kiosk fed by hand).
	NoHub Connectivity = iota
	// Online: the last requests succeeded in good time.
	Online
	// Offline: requests fail or are too slow; the kiosk decides from its
	// snapshot and queues visits until the hub answers again.
	Offline
	// Revoked: the hub revoked this kiosk. It keeps its unsent visits and
	// stops syncing.
	Revoked
)

// String returns the state in words for logs and JSON.
func (c Connectivity) String() string {
	switch c {
	case NoHub:
		return "no_hub"
	case Online:
		return "online"
	case Offline:
		return "offline"
	case Revoked:
		return "revoked"
	}
	return "unknown"
}

// SyncState is a snapshot of the sync client's view, for screens and
// `doctor`. It is a value: whoever renders it never reaches into the
// client (kiosk/tui must not import it).
type SyncState struct {
	Connectivity Connectivity
	// LastUpload and LastDownload are the times of the last successful
	// upload and snapshot check (zero: never).
	LastUpload, LastDownload time.Time
	// Pending is the number of visits waiting in the outbox.
	Pending int
	// LastError is the last failure in words, already sanitized; empty
	// when the last attempt succeeded.
	LastError string
	// Downloading is true while a snapshot download runs; Downloaded and
	// DownloadSize (0: unknown) give its progress in bytes.
	Downloading              bool
	Downloaded, DownloadSize int64
	// ClockSkew is the hub's Date minus the kiosk's clock at the last
	// answer (zero when unknown); ClockSkewKnown says whether it is.
	ClockSkew      time.Duration
	ClockSkewKnown bool
	// UploadOverdue is true when no upload has succeeded for the
	// compliance limit (48 h) while visits are pending.
	UploadOverdue bool
}

// SyncStatus is the small interface a screen reads the sync state through.
// The sync client implements it; with no hub configured, NoSyncStatus does.
type SyncStatus interface {
	SyncState() SyncState
}

// NoSyncStatus is the SyncStatus of a kiosk with no hub configured.
type NoSyncStatus struct{}

// SyncState reports NoHub.
func (NoSyncStatus) SyncState() SyncState { return SyncState{Connectivity: NoHub} }
