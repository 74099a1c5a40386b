package hub

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"syscall"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// StatusStore is a Storage that keeps the status rows themselves, keyed by
// subject hash (the PostgreSQL backend, so that any hub instance and an
// analyst's SQL see one list). Import hands it each new list inside one
// transaction that also finds the delta and records the version; the
// snapshot files stay immutable files under the artifacts directory.
//
// A Storage without it (bbolt) keeps only the version records, and Import
// finds the delta by reading the previous full file.
type StatusStore interface {
	Storage
	// BeginStatusImport opens an import's transaction and takes the
	// import lock, which serialises imports from every hub instance on the
	// storage until Publish or Rollback.
	BeginStatusImport(ctx context.Context) (StatusImport, error)
}

// StatusImport is one import's transaction (StatusStore). Nothing it does
// is visible to anyone until Publish commits it.
type StatusImport interface {
	// Latest returns the newest published version as of the import lock,
	// or ErrNotFound before the first import.
	Latest() (SnapshotVersion, error)
	// Load makes entries (in subject order, each subject once) the status
	// rows of version. With delta it also records the changes from the
	// rows stored before — puts for added and changed subjects, removes
	// for subjects gone — and returns how many; without (the first
	// version, or a new subject-hash key) it replaces the rows and records
	// no delta.
	Load(ctx context.Context, version uint64, entries iter.Seq[wire.Entry], delta bool) (changes uint64, err error)
	// Changes calls fn with the recorded delta of version in subject
	// order (Load with delta first).
	Changes(ctx context.Context, version uint64, fn func(wire.Change) error) error
	// Publish records v (one above Latest, else ErrVersionOrder) and
	// commits the rows, the delta and the version at once.
	Publish(ctx context.Context, v SnapshotVersion) error
	// Rollback abandons the import; after Publish it does nothing.
	Rollback(ctx context.Context) error
}

// stagingDir makes an import's staging directory under the artifacts
// root (the snapshot files are written there, fsynced, and renamed into
// the files directory: the same file system, so the rename is atomic) and
// removes the staging directories of imports that died. Each live import
// holds an flock on its directory's lock file, so a directory whose lock
// can be taken is a dead import's, whichever hub instance ran it.
func stagingDir(a Artifacts) (dir string, release func(), err error) {
	if err := os.MkdirAll(a.StagingDir(), 0o700); err != nil {
		return "", nil, err
	}
	if stale, _ := filepath.Glob(filepath.Join(a.StagingDir(), "import-*")); len(stale) > 0 {
		for _, d := range stale {
			switch unlock, err := flockNB(filepath.Join(d, ".lock"), false); {
			case err == nil:
				os.RemoveAll(d)
				unlock()
			case errors.Is(err, os.ErrNotExist): // died before it took its lock
				os.RemoveAll(d)
			}
		}
	}
	dir, err = os.MkdirTemp(a.StagingDir(), "import-")
	if err != nil {
		return "", nil, err
	}
	unlock, err := flockNB(filepath.Join(dir, ".lock"), true)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir); unlock() }, nil
}

// errLocked: another process holds the lock.
var errLocked = errors.New("locked")

// flockNB takes an exclusive flock on path without waiting (errLocked when
// another process holds it); create makes the file when missing.
func flockNB(path string, create bool) (func(), error) {
	flags := os.O_RDWR
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// writeChanges writes the delta a StatusImport recorded for version into
// a file of wire.ChangeSize records.
func writeChanges(ctx context.Context, path string, tx StatusImport, version uint64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var rec [wire.ChangeSize]byte
	err = tx.Changes(ctx, version, func(c wire.Change) error {
		c.Put(rec[:])
		_, err := w.Write(rec[:])
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("the delta of the status rows: %w", err)
	}
	return nil
}

// changeFile iterates a file writeChanges wrote; like entryFile it may be
// iterated more than once, and read errors end it and are kept in *err.
func changeFile(path string, err *error) iter.Seq[wire.Change] {
	return recordFile(path, wire.ChangeSize, wire.DecodeChange, "the delta", err)
}
