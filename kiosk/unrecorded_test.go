package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func TestFailureOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("%w: record visit x: %w", ErrCannotRecord, err) }
	tests := []struct {
		err  error
		want Failure
	}{
		{wrap(&fs.PathError{Op: "write", Path: "/d/k.db", Err: syscall.ENOSPC}), FailDiskFull},
		{wrap(&fs.PathError{Op: "write", Path: "/d/k.db", Err: syscall.EDQUOT}), FailDiskFull},
		{wrap(&fs.PathError{Op: "truncate", Path: "/d/k.db", Err: syscall.EFBIG}), FailDiskFull},
		{wrap(&fs.PathError{Op: "write", Path: "/d/k.db", Err: syscall.EROFS}), FailReadOnly},
		{wrap(bolt.ErrDatabaseReadOnly), FailReadOnly},
		{wrap(store.ErrCorrupt), FailStoreCorrupt},
		{wrap(bolt.ErrDatabaseNotOpen), FailStoreClosed},
		{wrap(fmt.Errorf("record visit: %w", store.ErrStoreGone)), FailStoreGone},
		{wrap(context.Canceled), FailInterrupted},
		{context.Canceled, FailInterrupted},
		{wrap(&fs.PathError{Op: "fdatasync", Path: "/d/k.db", Err: syscall.EIO}), FailIO},
		{wrap(errors.New("something else")), FailIO},
	}
	for _, tt := range tests {
		if got := FailureOf(tt.err); got != tt.want {
			t.Errorf("FailureOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

// TestUnrecordedShowsNoDecision: a verdict whose visit was not committed
// keeps what identifies the scan and drops everything that would show a
// decision; its error text is sanitized and bounded.
func TestUnrecordedShowsNoDecision(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	decided := Verdict{
		At: at, Source: "serial:/dev/ttyACM0", Kind: KindIIN, Decision: Admit, Status: wire.Green, HasStatus: true,
		Reasons: []reason.Code{reason.Reentry}, Warnings: []reason.Code{reason.Reentry}, Subject: "ab12…",
		SnapshotVersion: 7, FirstEntryAt: at.Add(-time.Hour), StatusUntil: at.Add(time.Hour),
	}
	err := fmt.Errorf("%w: write \x1b[2J/k.db%s: %w", ErrCannotRecord, strings.Repeat("x", 2000), syscall.ENOSPC)
	v := Unrecorded(decided, "other", err)
	if v.Decision != CannotRecord || v.HasStatus || v.StatusName() != "" || len(v.Reasons) != 0 || len(v.Warnings) != 0 ||
		!v.FirstEntryAt.IsZero() || !v.StatusUntil.IsZero() || v.Recorded || v.Failure != FailDiskFull {
		t.Fatalf("unrecorded verdict shows a decision: %+v", v)
	}
	if v.Source != decided.Source || !v.At.Equal(at) || v.Subject != decided.Subject || v.SnapshotVersion != 7 || v.Kind != KindIIN {
		t.Errorf("lost what identifies the scan: %+v", v)
	}
	if strings.Contains(v.FailureDetail, "\x1b") || len(v.FailureDetail) > maxFailureDetail+32 {
		t.Errorf("detail not sanitized or not bounded: %q", v.FailureDetail)
	}
	if v := Unrecorded(Verdict{}, "stdin", context.Canceled); v.Source != "stdin" || v.Failure != FailInterrupted {
		t.Errorf("check that never started: %+v", v)
	}
}
