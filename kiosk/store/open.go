package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Open opens the store whose visit file is at path, and its snapshot file
// (Options.SnapshotPath, or SnapshotPathFor(path)).
//
// The visit file must exist and be a sound doorcheck visit file unless
// Options.Create is set: a missing file is ErrNotFound, an empty or
// damaged one ErrCorrupt — a configured kiosk never starts a fresh visit
// log without a word. The snapshot file is optional: missing, the store
// has no snapshot until the first import creates it; damaged, the store
// still opens, without a snapshot, and SnapshotProblem says why.
//
// Unless read-only, Open moves a store of the single-file layout to two
// files (docs/storage.md) and drops any generation a crashed import left
// behind.
func Open(path string, opt Options) (*Store, error) {
	if opt.Timeout == 0 {
		opt.Timeout = 2 * time.Second
	}
	s := &Store{path: path, snapPath: opt.SnapshotPath, opt: opt, blockEntries: BlockEntries, phase: opt.phase}
	if s.snapPath == "" {
		s.snapPath = SnapshotPathFor(path)
	}
	if s.phase == nil {
		s.phase = func(string) {}
	}
	if opt.blockEntries > 0 {
		s.blockEntries = opt.blockEntries
	}
	log, fi, err := openBolt(path, visitFileName, opt, opt.Create, 0)
	if err != nil {
		return nil, err
	}
	s.log, s.logFile = log, fi
	single, err := s.initLog()
	if err != nil {
		closeGuarded(log, s.logBroken.get() != nil)
		return nil, err
	}
	if single && !opt.ReadOnly {
		if err := s.migrate(); err != nil {
			s.Close()
			return nil, err
		}
		single = false
	}
	if err := s.openSnapshot(single); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openBolt opens one bbolt file after checking what can be checked
// without trusting it: that it exists (or may be created), is not empty
// (unless it may be created), and is as long as its meta page says.
// bbolt's open runs under the storage guard. It returns the identity of
// the file bbolt opened, which is the file at path when it returns.
func openBolt(path, what string, opt Options, create bool, mmapSize int) (*boltFile, os.FileInfo, error) {
	for attempt := 0; ; attempt++ {
		db, fi, err := openBoltOnce(path, what, opt, create, mmapSize)
		if err != nil {
			return nil, nil, err
		}
		// Between bbolt's open and its lock, another process may have
		// replaced the file (a migration renames over it): then the lock
		// is on a file nobody will look at again.
		if now, err := os.Stat(path); err == nil && os.SameFile(now, fi) {
			return db, fi, nil
		}
		closeGuarded(db, false)
		if attempt == 2 {
			return nil, nil, fmt.Errorf("open %s %s: %w", what, path, ErrStoreGone)
		}
	}
}

func openBoltOnce(path, what string, opt Options, create bool, mmapSize int) (*boltFile, os.FileInfo, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && !create:
		return nil, nil, fmt.Errorf("open %s %s: %w", what, path, ErrNotFound)
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, nil, fmt.Errorf("open %s: %w", what, err)
	case st.Size() == 0 && !create:
		return nil, nil, fmt.Errorf("open %s %s: %w: the file is empty (0 bytes)", what, path, ErrCorrupt)
	case st.Size() > 0:
		if err := checkPages(path, what == visitFileName); err != nil {
			return nil, nil, fmt.Errorf("open %s %s: %w", what, path, err)
		}
	}
	var file *os.File
	bopt := &bolt.Options{
		Timeout:         opt.Timeout,
		NoSync:          opt.NoSync,
		ReadOnly:        opt.ReadOnly,
		FreelistType:    bolt.FreelistMapType,
		InitialMmapSize: mmapSize,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			if !create {
				flag &^= os.O_CREATE
			}
			f, err := os.OpenFile(name, flag, mode)
			file = f
			return f, err
		},
	}
	var db *bolt.DB
	err = guard(what, path, nil, func() (err error) {
		db, err = bolt.Open(path, 0o600, bopt)
		return err
	})
	if err != nil {
		if db == nil && file != nil && errors.Is(err, ErrCorrupt) {
			abandon(file) // bbolt panicked mid-open: release its lock at least
		}
		switch {
		case errors.Is(err, bolt.ErrTimeout):
			return nil, nil, fmt.Errorf("open %s %s: another doorcheck process holds it: %w", what, path, err)
		case errors.Is(err, os.ErrNotExist):
			return nil, nil, fmt.Errorf("open %s %s: %w", what, path, ErrNotFound)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum),
			errors.Is(err, berrors.ErrInvalidMapping):
			return nil, nil, fmt.Errorf("open %s %s: %w: %w", what, path, ErrCorrupt, err)
		case errors.Is(err, ErrCorrupt):
			return nil, nil, fmt.Errorf("open: %w", err)
		}
		return nil, nil, fmt.Errorf("open %s %s: %w", what, path, err)
	}
	bf := &boltFile{DB: db, file: file}
	fi, err := file.Stat()
	if err != nil {
		closeGuarded(bf, false)
		return nil, nil, fmt.Errorf("open %s %s: %w", what, path, err)
	}
	return bf, fi, nil
}

// initLog checks the visit file's consistency, creates its buckets, and
// reports whether it still holds a snapshot in the single-file layout.
func (s *Store) initLog() (single bool, err error) {
	err = s.logView(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(bucketVisits)) == nil && !s.opt.Create {
			// A bbolt file, but not one a doorcheck store wrote.
			return fmt.Errorf("%w: the file holds no visit log", ErrCorrupt)
		}
		single = holdsSnapshot(tx)
		// A single-file store is rewritten by the migration, which reads
		// every visit-log value on the way; its snapshot pages, perhaps
		// hundreds of megabytes, are not the visit log's to check.
		return checkTx(tx, !single)
	})
	if err != nil {
		return false, fmt.Errorf("open %s %s: %w", visitFileName, s.path, err)
	}
	if s.opt.ReadOnly {
		return single, nil
	}
	err = s.logUpdate(func(tx *bolt.Tx) error {
		for _, b := range logBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("open %s %s: %w", visitFileName, s.path, err)
	}
	return single, nil
}

// holdsSnapshot reports whether a visit file is of the single-file
// layout: it names a current generation or holds one.
func holdsSnapshot(tx *bolt.Tx) bool {
	if meta := tx.Bucket([]byte(bucketMeta)); meta != nil && meta.Get([]byte(keyCurrent)) != nil {
		return true
	}
	found := false
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		found = found || isGeneration(name)
		return nil
	})
	return found
}

// openSnapshot opens the snapshot file if there is one. single says the
// visit file still holds the snapshot (single-file layout): a read-only
// store reads it there.
func (s *Store) openSnapshot(single bool) error {
	if single && s.opt.ReadOnly {
		s.snap, s.snapShared = s.log, true
		return s.loadCurrent()
	}
	st, err := os.Stat(s.snapPath)
	if errors.Is(err, os.ErrNotExist) || err == nil && st.Size() == 0 {
		// No snapshot yet; an empty file is a first import that
		// crashed before bbolt wrote its first pages. The next import
		// creates it.
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", snapshotFileName, err)
	}
	db, _, err := openBolt(s.snapPath, snapshotFileName, s.opt, false, initialMmapSize)
	if errors.Is(err, ErrCorrupt) {
		s.snapErr = err
		return nil
	}
	if err != nil {
		return err
	}
	s.snap = db
	if !s.opt.ReadOnly {
		// Only write when there is something to drop: a plain start
		// leaves the snapshot file as it was.
		var orphans bool
		err := s.snapView(func(tx *bolt.Tx) error {
			orphans = tx.Bucket([]byte(bucketMeta)) == nil || len(orphansIn(tx)) > 0
			return nil
		})
		if err == nil && orphans {
			err = s.snapUpdate(dropOrphans)
		}
		if err != nil {
			return s.refuseSnapshot(err)
		}
	}
	return s.loadCurrent()
}

// refuseSnapshot closes a snapshot file found damaged: the store goes on
// without a snapshot. Errors that are not damage are returned.
func (s *Store) refuseSnapshot(err error) error {
	if !errors.Is(err, ErrCorrupt) {
		return err
	}
	if !s.snapShared {
		closeGuarded(s.snap, s.snapBroken.get() != nil)
	}
	s.snap, s.snapShared, s.snapErr = nil, false, err
	s.manifest, s.gen = nil, nil
	return nil
}

// dropOrphans creates the meta bucket and deletes every generation that
// meta/current does not name: what a crashed import left behind.
func dropOrphans(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists([]byte(bucketMeta)); err != nil {
		return err
	}
	for _, name := range orphansIn(tx) {
		if err := tx.DeleteBucket(name); err != nil {
			return fmt.Errorf("drop orphan generation %s: %w", name, err)
		}
	}
	return nil
}

// orphansIn lists the generations that meta/current does not name.
func orphansIn(tx *bolt.Tx) [][]byte {
	var current []byte
	if meta := tx.Bucket([]byte(bucketMeta)); meta != nil {
		current = meta.Get([]byte(keyCurrent))
	}
	var orphans [][]byte
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if isGeneration(name) && !bytes.Equal(name, current) {
			orphans = append(orphans, bytes.Clone(name))
		}
		return nil
	})
	return orphans
}

// loadCurrent reads the current manifest from the snapshot file. A
// manifest that does not decode, or names a generation that is not there,
// is damage: the snapshot is refused.
func (s *Store) loadCurrent() error {
	var (
		m   *wire.Manifest
		at  time.Time
		gen []byte
	)
	err := s.snapView(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		if meta == nil {
			return nil
		}
		raw := meta.Get([]byte(keyManifest))
		if raw == nil {
			return nil
		}
		// A store written before the sum was kept has none: its
		// manifest is taken as it is, until the next import sums it.
		if sum := meta.Get([]byte(keyManifestSum)); sum != nil && !bytes.Equal(sum, manifestSum(raw)) {
			return fmt.Errorf("%w: the stored manifest does not match its checksum", ErrCorrupt)
		}
		var err error
		if m, err = decodeManifest(raw); err != nil {
			return err
		}
		gen = meta.Get([]byte(keyCurrent))
		if gen == nil || tx.Bucket(gen) == nil {
			return fmt.Errorf("%w: manifest of version %d stored without its generation", ErrCorrupt, m.Version)
		}
		gen = bytes.Clone(gen)
		at, _ = time.Parse(time.RFC3339Nano, string(meta.Get([]byte(keyImportedAt))))
		return nil
	})
	if err != nil {
		return s.refuseSnapshot(fmt.Errorf("open %s %s: %w", snapshotFileName, s.snapPath, err))
	}
	if m == nil {
		return nil
	}
	if want := hubKeyID(s.opt.HubKey); len(s.opt.HubKey) > 0 && m.HubKeyID != want {
		if !s.opt.ReplaceForeign {
			return fmt.Errorf("open %s %s: %w: the snapshot (version %d) is signed by hub key %s, the config pins %s: import a snapshot from your hub (doorcheck snapshot import FILE)",
				snapshotFileName, s.snapPath, ErrHubKeyMismatch, m.Version, m.HubKeyID, want)
		}
		s.foreign = m
		return nil
	}
	s.setCurrent(m, at, gen)
	return nil
}

// ensureSnapshotFile creates the snapshot file if the store has none. It
// runs under snapshotMu, at the start of an import of kind.
func (s *Store) ensureSnapshotFile(kind wire.Kind) error {
	if s.opt.ReadOnly {
		return ErrReadOnly
	}
	s.mu.RLock()
	db, problem := s.snap, s.snapErr
	s.mu.RUnlock()
	if db != nil {
		return nil
	}
	if problem != nil {
		if !s.opt.ReplaceDamaged || kind != wire.KindFull {
			return fmt.Errorf("%w (delete %s and import a full snapshot; visits are kept in %s)", problem, s.snapPath, s.path)
		}
		if err := renameDurably(s.snapPath, s.snapPath+".damaged"); err != nil {
			return fmt.Errorf("move the damaged snapshot file aside: %w", err)
		}
		s.mu.Lock()
		s.snapErr = nil
		s.mu.Unlock()
	}
	db, _, err := openBolt(s.snapPath, snapshotFileName, s.opt, true, initialMmapSize)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.snap = db
	s.mu.Unlock()
	return s.snapUpdate(dropOrphans)
}

func isGeneration(name []byte) bool {
	return len(name) > len(genPrefix) && string(name[:len(genPrefix)]) == genPrefix
}

// manifestSum is the checksum stored beside a manifest.
func manifestSum(raw []byte) []byte {
	sum := sha256.Sum256(raw)
	return sum[:]
}

// decodeManifest decodes a stored manifest; one that does not decode is
// damage.
func decodeManifest(raw []byte) (*wire.Manifest, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no stored manifest", ErrCorrupt)
	}
	m := new(wire.Manifest)
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("%w: stored manifest does not decode: %v", ErrCorrupt, err)
	}
	return m, nil
}
