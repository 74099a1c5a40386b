package kiosk

import (
	"context"
	"errors"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// Failure is a stable, machine-readable code for why a visit could not be
// recorded. It appears in JSON lines and logs beside the CannotRecord
// decision; codes never change meaning, new ones may be added.
type Failure string

const (
	FailDiskFull     Failure = "disk_full"     // no space (or quota, or file size limit) for the visit
	FailReadOnly     Failure = "read_only"     // the store's file system or file refuses writes
	FailStoreCorrupt Failure = "store_corrupt" // the store failed an integrity check
	FailStoreClosed  Failure = "store_closed"  // the store is not open (any more)
	FailStoreGone    Failure = "store_gone"    // the store file was deleted or replaced under the kiosk
	FailInterrupted  Failure = "interrupted"   // the kiosk was stopping before the visit was committed
	FailIO           Failure = "io_error"      // any other failure to commit
)

// maxFailureDetail bounds the error text a CannotRecord verdict carries.
const maxFailureDetail = 512

// FailureOf classifies an error returned by Check or Undo. Interruption is
// tested first: a commit cut short by shutdown is not a broken disk.
func FailureOf(err error) Failure {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return FailInterrupted
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return FailDiskFull
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM),
		errors.Is(err, bolt.ErrDatabaseReadOnly):
		return FailReadOnly
	case errors.Is(err, store.ErrCorrupt):
		return FailStoreCorrupt
	case errors.Is(err, bolt.ErrDatabaseNotOpen):
		return FailStoreClosed
	case errors.Is(err, store.ErrStoreGone):
		return FailStoreGone
	}
	return FailIO
}

// Unrecorded is what may be shown of a check whose visit could not be
// recorded (err non-nil): the CannotRecord decision with the failure code
// and the sanitized error text, and nothing of the decision that was not
// committed — no colour, no reasons, no re-entry time — because a verdict
// is shown only once its visit is on disk. Where the scan came from, what
// it was and the masked subject stay, so the line can be matched to the
// scan. source fills in when Check ended before deciding anything.
func Unrecorded(v Verdict, source string, err error) Verdict {
	if v.Source == "" {
		v.Source = source
	}
	return Verdict{
		At:              v.At,
		Source:          v.Source,
		Kind:            v.Kind,
		Direction:       v.Direction,
		Decision:        CannotRecord,
		Subject:         v.Subject,
		SnapshotVersion: v.SnapshotVersion,
		Failure:         FailureOf(err),
		FailureDetail:   sanitize.EscapeLimit(strings.TrimPrefix(err.Error(), ErrCannotRecord.Error()+": "), maxFailureDetail),
	}
}
