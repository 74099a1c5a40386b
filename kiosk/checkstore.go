package kiosk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// checkerStore is what the checker reads and writes in the store;
// *store.Store satisfies it. Tests wrap a real store to make one read fail.
type checkerStore interface {
	Current() (*wire.Manifest, bool)
	Lookup(key wire.SubjectKey) (wire.Entry, bool, error)
	Presence(subject wire.SubjectKey, day string) (firstEntry time.Time, visit store.VisitID, inside bool, err error)
	Counters(day string) (store.Counters, error)
	Record(ctx context.Context, v store.Visit) (store.Counters, error)
	Recent(n int) ([]store.Visit, error)
	PendingCount() (int, error)
}

var _ checkerStore = (*store.Store)(nil)

// storeReadFailed is the NOT VERIFIED reason for a failed store read while
// deciding: a read that failed must never leave a default in its place (an
// empty venue, a blue status), so nothing is decided. what names the read.
// An integrity failure is store_corrupt, a snapshot gone since the check
// began no_snapshot, anything else store_unreadable.
func storeReadFailed(what string, err error) *pass.Error {
	r := reason.StoreUnreadable
	switch {
	case errors.Is(err, store.ErrCorrupt):
		r = reason.StoreCorrupt
	case errors.Is(err, store.ErrNoSnapshot):
		r = reason.NoSnapshot
	}
	return &pass.Error{Reason: r, Detail: fmt.Sprintf("read %s: %v", what, err)}
}
