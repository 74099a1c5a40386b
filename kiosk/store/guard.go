package store

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// The storage guard. bbolt trusts its pages: a flipped byte or a truncated
// file makes it index out of range, dereference a wild page pointer, or
// read its memory map past the end of the file (SIGBUS). Every call into
// bbolt that touches pages runs under guard: debug.SetPanicOnFault turns
// a fault in this goroutine into a panic, and recover turns the panic into
// an error wrapping ErrCorrupt. The file is then marked broken and never
// used again by this Store: after a panic mid-transaction nothing says
// what bbolt's in-memory state still matches.

// brokenFlag remembers why a file was given up on.
type brokenFlag struct{ err atomic.Pointer[error] }

func (b *brokenFlag) set(err error) { b.err.CompareAndSwap(nil, &err) }

// get returns the reason the file was given up on, nil while it is fine.
func (b *brokenFlag) get() error {
	if p := b.err.Load(); p != nil {
		return *p
	}
	return nil
}

// guard runs fn with faults turned into panics and panics into an error
// wrapping ErrCorrupt, which also marks broken (when not nil).
func guard(file, path string, broken *brokenFlag, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			err = fmt.Errorf("%s %s: %w: bbolt failed on a damaged page: %v", file, path, ErrCorrupt, r)
			if broken != nil {
				broken.set(err)
			}
		}
	}()
	return fn()
}

// File names for error messages.
const (
	visitFileName    = "visit file"
	snapshotFileName = "snapshot file"
)

// logView runs fn in a read transaction on the visit file, guarded.
func (s *Store) logView(fn func(*bolt.Tx) error) error {
	if err := s.logBroken.get(); err != nil {
		return err
	}
	return guard(visitFileName, s.path, &s.logBroken, func() error { return s.log.View(fn) })
}

// logUpdate runs fn in a write transaction on the visit file, guarded.
func (s *Store) logUpdate(fn func(*bolt.Tx) error) error {
	if err := s.logBroken.get(); err != nil {
		return err
	}
	if s.opt.ReadOnly {
		return ErrReadOnly
	}
	return guard(visitFileName, s.path, &s.logBroken, func() error { return s.log.Update(fn) })
}

// snapDB returns the snapshot file's handle, or an error saying why
// there is none to use.
func (s *Store) snapDB() (*boltFile, error) {
	if err := s.snapBroken.get(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	db, problem := s.snap, s.snapErr
	s.mu.RUnlock()
	if db == nil {
		if problem != nil {
			return nil, problem
		}
		return nil, ErrNoSnapshot
	}
	return db, nil
}

// snapView runs fn in a read transaction on the snapshot file, guarded.
func (s *Store) snapView(fn func(*bolt.Tx) error) error {
	db, err := s.snapDB()
	if err != nil {
		return err
	}
	return guard(snapshotFileName, s.snapPath, &s.snapBroken, func() error { return db.View(fn) })
}

// snapUpdate runs fn in a write transaction on the snapshot file, guarded.
func (s *Store) snapUpdate(fn func(*bolt.Tx) error) error {
	if s.opt.ReadOnly {
		return ErrReadOnly
	}
	db, err := s.snapDB()
	if err != nil {
		return err
	}
	return guard(snapshotFileName, s.snapPath, &s.snapBroken, func() error { return db.Update(fn) })
}

// boltFile is an open bbolt file and the file descriptor bbolt opened
// for it.
type boltFile struct {
	*bolt.DB
	file *os.File
}

// closeGuarded closes a bbolt file. A file given up on (broken) is not
// handed to bbolt's Close, which would wait forever for a writer lock
// that a panic inside a transaction left taken: its file lock is released
// and its descriptor closed, and the memory map stays until the process
// ends. A panic while closing is an error, not a crash.
func closeGuarded(bf *boltFile, broken bool) error {
	if bf == nil {
		return nil
	}
	if broken {
		return abandon(bf.file)
	}
	err := guard("bbolt file", bf.Path(), nil, bf.DB.Close)
	if errors.Is(err, ErrCorrupt) {
		abandon(bf.file)
	}
	return err
}

// abandon unlocks and closes the file of a bbolt handle that will not be
// used again.
func abandon(f *os.File) error {
	return errors.Join(unlockFile(f), f.Close())
}
