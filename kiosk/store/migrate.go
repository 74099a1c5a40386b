package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Migration from the single-file layout, where one file at store.path
// held the snapshot generations and their meta keys beside the visit log.
//
// Each step leaves a store that opens correctly, and Open redoes whatever
// a crash cut short:
//
//  1. The current generation and the snapshot's meta keys are copied
//     into a fresh bbolt file beside the snapshot file (…migrate), which
//     is fsynced and renamed over the snapshot path, and the directory
//     fsynced. Skipped when a snapshot file of at least the same version
//     is already there: step 1 of an earlier, interrupted migration.
//  2. The visit log — every bucket but the generations, meta without the
//     snapshot's keys — is copied into a fresh bbolt file (…migrate),
//     which is fsynced and renamed over store.path, and the directory
//     fsynced. The new file's handle, locked since it was created, becomes
//     the store's visit file, so no other process can slip in between.
//
// The visit file is rewritten, not cleaned in place: deleting a 420 MB
// snapshot from it would leave a 420 MB file whose freelist every visit
// commit would write out again.

// migrateSuffix names the temporary files of a migration.
const migrateSuffix = ".migrate"

// migrate moves a single-file store to two files.
//
// A snapshot that turns out damaged on the way is left behind (the store
// opens without one and SnapshotProblem says so): it is replaceable, and
// must not keep the visits from moving.
func (s *Store) migrate() error {
	err := s.logView(func(tx *bolt.Tx) error {
		// Its own guard: a damaged generation page is the snapshot's
		// problem, not the visit file's.
		return guard(visitFileName, s.path, nil, func() error { return s.migrateSnapshot(tx) })
	})
	switch {
	case errors.Is(err, ErrCorrupt) && s.logBroken.get() == nil:
		s.migrateProblem = fmt.Errorf("migrate %s: its snapshot was damaged and is not moved to %s (import a snapshot): %w", s.path, s.snapPath, err)
	case err != nil:
		return fmt.Errorf("migrate %s: move its snapshot to %s: %w", s.path, s.snapPath, err)
	}
	s.phase("migrate-snapshot-written")
	if err := s.migrateLog(); err != nil {
		return fmt.Errorf("migrate %s: rewrite the visit log without its snapshot: %w", s.path, err)
	}
	s.phase("migrate-log-written")
	return nil
}

// migrateSnapshot is step 1, inside a read transaction on the old file.
func (s *Store) migrateSnapshot(old *bolt.Tx) error {
	meta := old.Bucket([]byte(bucketMeta))
	var gen []byte
	var version uint64
	if meta != nil {
		gen = meta.Get([]byte(keyCurrent))
	}
	if gen == nil || old.Bucket(gen) == nil {
		return nil // orphans only: nothing to move, step 2 drops them
	}
	m, err := decodeManifest(meta.Get([]byte(keyManifest)))
	if err != nil {
		return err
	}
	version = m.Version
	if have, ok := snapshotVersionAt(s.snapPath, s.opt); ok && have >= version {
		return nil
	}
	tmp := s.snapPath + migrateSuffix
	db, err := createBolt(tmp, s.opt, initialMmapSize)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after the rename, there is nothing to remove
	err = guard(snapshotFileName, tmp, nil, func() error {
		name, err := copyGeneration(db.DB, old.Bucket(gen), gen, s.blockEntries, m.ResultEntries)
		if err != nil {
			return err
		}
		if err := copyBucket(db.DB, meta, []byte(bucketMeta), 0, func(k []byte) bool { return isSnapshotMetaKey(k) }); err != nil {
			return err
		}
		// The rewritten generation has the format 2 name (block.go); the
		// manifest gets the checksum the single-file layout did not keep.
		return db.Update(func(tx *bolt.Tx) error {
			meta := tx.Bucket([]byte(bucketMeta))
			if err := meta.Put([]byte(keyManifestSum), manifestSum(meta.Get([]byte(keyManifest)))); err != nil {
				return err
			}
			return meta.Put([]byte(keyCurrent), name)
		})
	})
	if err == nil {
		err = db.Sync()
	}
	if cerr := closeGuarded(db, false); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	s.phase("migrate-snapshot-copied")
	return renameDurably(tmp, s.snapPath)
}

// migrateLog is step 2.
func (s *Store) migrateLog() error {
	tmp := s.path + migrateSuffix
	db, err := createBolt(tmp, s.opt, 0)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			closeGuarded(db, false)
			os.Remove(tmp)
		}
	}()
	err = s.logView(func(old *bolt.Tx) error {
		return guard(visitFileName, tmp, nil, func() error {
			return old.ForEach(func(name []byte, b *bolt.Bucket) error {
				switch {
				case isGeneration(name):
					return nil
				case string(name) == bucketMeta:
					return copyBucket(db.DB, b, name, 0, func(k []byte) bool { return !isSnapshotMetaKey(k) })
				}
				return copyBucket(db.DB, b, name, 0, nil)
			})
		})
	})
	if err != nil {
		return err
	}
	if err := db.Sync(); err != nil {
		return err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return err
	}
	s.phase("migrate-log-copied")
	if err := renameDurably(tmp, s.path); err != nil {
		return err
	}
	renamed = true
	closeGuarded(s.log, false)
	s.log, s.logFile = db, fi
	return nil
}

// copyGeneration rewrites the entries of a generation of the single-file
// layout (block format 1) into dst, through the block builder an import
// uses, as the format 2 generation of the same number, and checks their
// count against the manifest. It returns the new generation's name.
func copyGeneration(dst *bolt.DB, old *bolt.Bucket, oldName []byte, per int, want uint64) ([]byte, error) {
	name, ok := upgradedGenerationName(oldName)
	if !ok {
		return nil, fmt.Errorf("%w: generation %s is not of the single-file layout", ErrCorrupt, oldName)
	}
	out := newBlockBuilder(name, per)
	c := old.Cursor()
	k, v := c.First()
	for done := false; !done; {
		err := dst.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			b.FillPercent = 1.0 // blocks arrive in key order
			out.begin(b)
			for ; k != nil; k, v = c.Next() {
				if len(v) == 0 || len(v)%wire.EntrySize != 0 || !bytes.Equal(k, v[:min(len(v), wire.SubjectKeySize)]) {
					return fmt.Errorf("%w: block at %s of generation %s is malformed", ErrCorrupt, maskKey(k), oldName)
				}
				for off := 0; off < len(v); off += wire.EntrySize {
					if err := out.add(wire.DecodeEntry(v[off:])); err != nil {
						return err
					}
				}
				if out.blocksInTx >= blocksPerTx {
					k, v = c.Next()
					return nil
				}
			}
			done = true
			return out.flush()
		})
		if err != nil {
			return nil, fmt.Errorf("copy generation %s: %w", oldName, err)
		}
	}
	if out.total != want {
		return nil, fmt.Errorf("%w: generation %s holds %d entries, its manifest says %d", ErrCorrupt, oldName, out.total, want)
	}
	return name, nil
}

// copyBatch bounds one transaction of a migration copy.
const copyBatch = 4 << 20

// copyBucket copies the keys of src that keep accepts (all when keep is
// nil) into bucket name of dst, over as many transactions as it takes.
// src's transaction stays open throughout, so its values stay valid until
// dst has committed them.
func copyBucket(dst *bolt.DB, src *bolt.Bucket, name []byte, fill float64, keep func(k []byte) bool) error {
	c := src.Cursor()
	k, v := c.First()
	for first := true; first || k != nil; first = false {
		err := dst.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			if fill > 0 {
				b.FillPercent = fill
			}
			for n := 0; k != nil && n < copyBatch; k, v = c.Next() {
				if v == nil {
					return fmt.Errorf("bucket %s: nested bucket %q: not a doorcheck layout", name, k)
				}
				if keep != nil && !keep(k) {
					continue
				}
				if err := b.Put(k, v); err != nil {
					return err
				}
				n += len(k) + len(v)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("copy bucket %s: %w", name, err)
		}
	}
	return nil
}

func isSnapshotMetaKey(k []byte) bool {
	for _, sk := range snapshotMetaKeys {
		if bytes.Equal(k, []byte(sk)) {
			return true
		}
	}
	return false
}

// snapshotVersionAt reads the version of the snapshot file at path, if
// there is a sound one.
func snapshotVersionAt(path string, opt Options) (uint64, bool) {
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		return 0, false
	}
	ro := opt
	ro.ReadOnly = true
	db, _, err := openBolt(path, snapshotFileName, ro, false, 0)
	if err != nil {
		return 0, false
	}
	defer closeGuarded(db, false)
	var version uint64
	ok := false
	err = guard(snapshotFileName, path, nil, func() error {
		return db.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket([]byte(bucketMeta))
			if meta == nil {
				return nil
			}
			gen := meta.Get([]byte(keyCurrent))
			m, err := decodeManifest(meta.Get([]byte(keyManifest)))
			if err != nil || gen == nil || tx.Bucket(gen) == nil {
				return nil
			}
			version, ok = m.Version, true
			return nil
		})
	})
	return version, ok && err == nil
}

// createBolt creates a fresh bbolt file at path (replacing a leftover of
// an interrupted migration), locked by the returned handle.
func createBolt(path string, opt Options, mmapSize int) (*boltFile, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var file *os.File
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         opt.Timeout,
		NoSync:          opt.NoSync,
		FreelistType:    bolt.FreelistMapType,
		InitialMmapSize: mmapSize,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag|os.O_EXCL, mode)
			file = f
			return f, err
		},
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &boltFile{DB: db, file: file}, nil
}

// renameDurably renames tmp over path and fsyncs the directory, so the
// rename itself survives a power cut.
func renameDurably(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("sync directory of %s: %w", path, err)
	}
	return nil
}
