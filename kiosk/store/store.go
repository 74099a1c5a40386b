// Package store is the kiosk's one bbolt file: the current status snapshot,
// packed into sorted blocks, and the visit log with its upload outbox,
// daily counters and presence. Every visit is committed with fsync before
// Record returns.
//
// Layout, the generation flip that makes imports atomic, and crash
// behaviour: docs/storage.md.
package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Bucket and key names (docs/storage.md).
const (
	bucketMeta     = "meta"
	bucketVisits   = "visits"
	bucketOutbox   = "outbox"
	bucketCounters = "counters"
	bucketPresence = "presence"
	bucketUndone   = "undone"

	keyCurrent    = "current"     // name of the current generation bucket
	keyManifest   = "manifest"    // the current snapshot's verified manifest, JSON
	keyImportedAt = "imported_at" // when the current snapshot became current, RFC 3339
	keyGenSeq     = "gen_seq"     // last generation number handed out

	genPrefix = "gen-"
)

// Errors callers match with errors.Is.
var (
	ErrRollback       = errors.New("snapshot is older than the current one")
	ErrSameVersion    = errors.New("snapshot version is already current")
	ErrBaseMismatch   = errors.New("delta does not apply to the current snapshot version")
	ErrNoSnapshot     = errors.New("no snapshot imported")
	ErrResultMismatch = errors.New("delta result does not match its manifest")
	ErrUndoNotAllowed = errors.New("visit cannot be undone")
	// ErrCorrupt means stored data failed an integrity check (a block
	// checksum, a bbolt page, a fault or panic inside storage). A caller
	// never turns it into a colour: it is NOT VERIFIED store_corrupt, or
	// "cannot record" on the visit side.
	ErrCorrupt = errors.New("store is corrupt")
)

// Options tune a Store. The zero value is what a kiosk uses.
type Options struct {
	// Timeout bounds the wait for the file lock, so a second process on
	// the same file fails fast instead of hanging. Zero waits 2 s.
	Timeout time.Duration
	// NoSync skips fsync. Only for tests that say why; a kiosk never sets it.
	NoSync bool

	// blockEntries overrides BlockEntries (tests use small blocks to
	// exercise block boundaries).
	blockEntries int
	// phase, if set, is called at the named points of an import
	// ("verified", "flipped"), so crash tests can kill a child exactly
	// between two transactions.
	phase func(name string)
}

// initialMmapSize is 1 GiB on 64-bit platforms and bbolt's default elsewhere.
const initialMmapSize = (strconv.IntSize / 64) << 30

// BlockEntries is how many entries one bbolt value holds. 777 × 21 bytes
// plus bbolt's per-element overhead fill four 4 KiB pages exactly
// (docs/storage.md).
const BlockEntries = 777

// Store is an open kiosk store. It is safe for concurrent use.
type Store struct {
	db           *bolt.DB
	path         string
	blockEntries int

	phase func(string)

	// mu guards the cached current snapshot: its manifest, when it was
	// imported and the name of its generation bucket. Lookup uses the
	// cached name to skip reading meta in every transaction.
	mu         sync.RWMutex
	manifest   *wire.Manifest
	importedAt time.Time
	gen        []byte // never modified once set; replaced on flip

	snapshotMu sync.Mutex // one import or delta at a time
}

// Open opens or creates the store at path, and drops any generation a
// crashed import left behind.
func Open(path string, opt Options) (*Store, error) {
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		NoSync:       opt.NoSync,
		FreelistType: bolt.FreelistMapType,
		// Mapping 1 GiB up front spares a 20 M-entry import its remaps
		// as the file grows (about 8 % of its time). Only on 64-bit:
		// a 32-bit board has little address space to spare.
		InitialMmapSize: initialMmapSize,
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open store %s: another doorcheck process holds it: %w", path, err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, path: path, blockEntries: BlockEntries, phase: opt.phase}
	if s.phase == nil {
		s.phase = func(string) {}
	}
	if opt.blockEntries > 0 {
		s.blockEntries = opt.blockEntries
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// init creates the fixed buckets, drops orphan generations and loads the
// current manifest.
func (s *Store) init() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{bucketMeta, bucketVisits, bucketOutbox, bucketCounters, bucketPresence, bucketUndone} {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		current := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent))
		var orphans [][]byte
		err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if isGeneration(name) && string(name) != string(current) {
				orphans = append(orphans, append([]byte(nil), name...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range orphans {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("drop orphan generation %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		raw := meta.Get([]byte(keyManifest))
		if raw == nil {
			return nil
		}
		var m wire.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("decode stored manifest: %w", err)
		}
		gen := meta.Get([]byte(keyCurrent))
		if gen == nil || tx.Bucket(gen) == nil {
			return fmt.Errorf("manifest of version %d stored without its generation", m.Version)
		}
		at, _ := time.Parse(time.RFC3339Nano, string(meta.Get([]byte(keyImportedAt))))
		s.setCurrent(&m, at, bytes.Clone(gen))
		return nil
	})
}

func isGeneration(name []byte) bool {
	return len(name) > len(genPrefix) && string(name[:len(genPrefix)]) == genPrefix
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

func (s *Store) setCurrent(m *wire.Manifest, importedAt time.Time, gen []byte) {
	s.mu.Lock()
	s.manifest, s.importedAt, s.gen = m, importedAt, gen
	s.mu.Unlock()
}

// currentGen returns the cached name of the current generation bucket, nil
// when no snapshot is imported.
func (s *Store) currentGen() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen
}

// Current returns the current snapshot's verified manifest. Callers must
// not modify it.
func (s *Store) Current() (*wire.Manifest, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.manifest, s.manifest != nil
}

// Info describes the current snapshot and the file.
type Info struct {
	Version    uint64
	CreatedAt  time.Time
	ImportedAt time.Time
	Entries    uint64
	Deployment string
	Issuers    int
	FileSize   int64
}

// Info returns facts about the current snapshot (zero when there is none)
// and the file's size.
func (s *Store) Info() (Info, error) {
	var info Info
	s.mu.RLock()
	if m := s.manifest; m != nil {
		info = Info{Version: m.Version, CreatedAt: m.CreatedAt, ImportedAt: s.importedAt,
			Entries: m.ResultEntries, Deployment: m.Deployment, Issuers: len(m.Issuers)}
	}
	s.mu.RUnlock()
	st, err := os.Stat(s.path)
	if err != nil {
		return info, fmt.Errorf("stat store: %w", err)
	}
	info.FileSize = st.Size()
	return info, nil
}

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func u64bytes(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}
