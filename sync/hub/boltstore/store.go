// Package boltstore is the hub's embedded storage backend on bbolt: the
// hub.Storage interface over two files in the data directory.
//
//   - control.db holds snapshot versions, enrollment tokens and kiosks. It
//     is small and written by the short commands (import, enroll, revoke)
//     as well as by serve, so it is opened for each call and closed again:
//     bbolt lets one process at a time write a file, and holding it open in
//     serve would lock every other command out.
//   - visits.db holds the visits. It is large and hot, written only by the
//     serving process, and held open from the first visit call to Close.
//
// Every write is one bbolt Update, durable (fsync) when it returns.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	bolt "go.etcd.io/bbolt"
)

// File names inside the data directory.
const (
	ControlFile = "control.db"
	VisitsFile  = "visits.db"
)

// Options tune a Store.
type Options struct {
	// LockTimeout bounds the wait for another process's lock on a file
	// (default 5 s); past it the call fails instead of hanging.
	LockTimeout time.Duration
}

// Store is the bbolt hub.Storage.
type Store struct {
	dir  string
	opts Options

	// controlMu serialises this process's opens of control.db: bbolt's
	// flock conflicts between two opens in one process too.
	controlMu sync.Mutex

	visitsMu sync.Mutex
	visits   *bolt.DB // nil until the first visit call
	closed   bool
}

// Open returns a Store over dir, which must exist. It opens nothing yet;
// each call opens what it needs.
func Open(dir string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 5 * time.Second
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("hub storage: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("hub storage: %s is not a directory", dir)
	}
	return &Store{dir: dir, opts: opts}, nil
}

var errClosed = errors.New("hub storage is closed")

// control runs fn on control.db, opened for this call only.
func (s *Store) control(ctx context.Context, write bool, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.controlMu.Lock()
	defer s.controlMu.Unlock()
	path := filepath.Join(s.dir, ControlFile)
	if !write {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			// Nothing stored yet: read from an empty database without
			// creating the file.
			return fn(nil)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: s.opts.LockTimeout, ReadOnly: !write})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return fmt.Errorf("open %s: another process holds it for more than %s: %w", path, s.opts.LockTimeout, err)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	if write {
		err = db.Update(fn)
	} else {
		err = db.View(fn)
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	return err
}

// visitsDB returns the visits database, opening it on first use.
func (s *Store) visitsDB() (*bolt.DB, error) {
	s.visitsMu.Lock()
	defer s.visitsMu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if s.visits != nil {
		return s.visits, nil
	}
	path := filepath.Join(s.dir, VisitsFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: s.opts.LockTimeout})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open %s: another hub process is serving from it: %w", path, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketVisits, bucketVisitsByTime, bucketPresence, bucketConflicts} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	s.visits = db
	return db, nil
}

// Close closes the visits database if it was opened.
func (s *Store) Close() error {
	s.visitsMu.Lock()
	defer s.visitsMu.Unlock()
	s.closed = true
	if s.visits == nil {
		return nil
	}
	err := s.visits.Close()
	s.visits = nil
	return err
}

// Bucket names.
var (
	bucketSnapshots    = []byte("snapshots")      // version (uint64 BE) → SnapshotVersion JSON
	bucketEnrollments  = []byte("enrollments")    // token hash → Enrollment JSON
	bucketKiosks       = []byte("kiosks")         // kiosk id → Kiosk JSON
	bucketVisits       = []byte("visits")         // visit id → visit.Record JSON
	bucketVisitsByTime = []byte("visits_by_time") // at (ns, offset) + visit id → empty
	bucketPresence     = []byte("presence")       // venue, day, subject → last admitted movement
	bucketConflicts    = []byte("conflicts")      // at + visit id → hub.Conflict JSON
)

// bucket returns a bucket of tx, or nil when tx is nil (no file yet) or
// the bucket does not exist (nothing written yet).
func bucket(tx *bolt.Tx, name []byte) *bolt.Bucket {
	if tx == nil {
		return nil
	}
	return tx.Bucket(name)
}

// Store implements the hub storage interface.
var _ hub.Storage = (*Store)(nil)
