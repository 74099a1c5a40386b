package hub

import (
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// Observer receives what the server does, for metrics. Implementations
// must be safe for concurrent use and fast: they run on every request.
type Observer interface {
	// Request is called once per request with its route name and status.
	Request(route string, status int, d time.Duration)
	// Download is called when a snapshot file answer ends: kind is "full"
	// or "delta", partial for a 206, bytes as sent.
	Download(kind string, partial bool, bytes int64)
	// Rejected is called when a limit refuses a request (overloaded,
	// body too large…).
	Rejected(code protocol.Code)
	// Upload is called per accepted upload batch with its visit counts.
	Upload(fresh, duplicate, refused, conflicts int)
	// NotModified is called for a manifest poll answered 304.
	NotModified()
	// SnapshotVersion reports the version being served.
	SnapshotVersion(v uint64)
}

type nopObserver struct{}

func (nopObserver) Request(string, int, time.Duration) {}
func (nopObserver) Download(string, bool, int64)       {}
func (nopObserver) NotModified()                       {}
func (nopObserver) Rejected(protocol.Code)             {}
func (nopObserver) Upload(int, int, int, int)          {}
func (nopObserver) SnapshotVersion(uint64)             {}
