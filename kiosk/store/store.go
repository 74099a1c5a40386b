// Package store is the kiosk's storage: the visit log — visits, the
// upload outbox, daily counters and presence, committed with fsync before
// Record returns — in one bbolt file, and the current status snapshot,
// packed into sorted blocks, in a second bbolt file beside it. The two are
// separate failure domains: a rotten snapshot page never takes the visits
// with it, and a long import never holds the writer lock a visit waits for.
//
// Layout, the generation flip that makes imports atomic, migration from
// the single-file layout, corruption handling and crash behaviour:
// docs/storage.md.
package store

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	berrors "go.etcd.io/bbolt/errors"

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
	// keyManifestSum is the SHA-256 of the stored manifest's bytes: the
	// manifest's signature is not kept, and a rotted byte in it (the
	// subject-hash key, say) would silently make every subject unlisted.
	keyManifestSum = "manifest_sha256"
	// keyLastAck, in the visit file, is when the hub last acknowledged
	// visits, RFC 3339 (Ack).
	keyLastAck = "last_ack"

	genPrefix = "gen-"
)

// logBuckets are the visit log's buckets, all in the visit file.
var logBuckets = []string{bucketMeta, bucketVisits, bucketOutbox, bucketCounters, bucketPresence, bucketUndone}

// snapshotMetaKeys are the snapshot's keys in the meta bucket. They live in
// the snapshot file; the single-file layout kept them in the visit file.
var snapshotMetaKeys = []string{keyCurrent, keyManifest, keyImportedAt, keyGenSeq, keyManifestSum}

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
	// ErrNotFound means the visit file does not exist and Options.Create
	// was not set: a configured kiosk never starts a fresh visit log
	// silently.
	ErrNotFound = errors.New("store file does not exist")
	// ErrStoreGone means the visit file at the store's path is no longer
	// the file the store has open (deleted or replaced while running):
	// a visit committed into it would be lost, so it counts as not
	// recorded.
	ErrStoreGone = errors.New("store file was deleted or replaced while open")
	// ErrReadOnly is returned by writes to a store opened read-only. It
	// wraps bbolt's ErrDatabaseReadOnly.
	ErrReadOnly = fmt.Errorf("store is open read-only: %w", berrors.ErrDatabaseReadOnly)
	// ErrHubKeyMismatch means the stored snapshot was signed by another
	// hub key than the pinned one (Options.HubKey): its data is not this
	// deployment's (the demo issuer key, for one, is public).
	ErrHubKeyMismatch = errors.New("stored snapshot is signed by another hub key than the pinned one")
	// ErrFromFuture refuses a snapshot created later than now plus the
	// clock skew: either the hub's clock or this kiosk's is wrong, and
	// importing it would make every later, correct snapshot look old.
	ErrFromFuture = errors.New("snapshot was created in the future")
	// ErrVersionJump refuses a snapshot whose version is more than
	// MaxVersionJump past the current one (or past 0 for a store without
	// a snapshot): one such snapshot, correctly signed by a buggy hub,
	// would otherwise block every later import as a rollback.
	ErrVersionJump = errors.New("snapshot version jumps too far")
)

// MaxVersionJump bounds how far one import may move the snapshot version
// forward (docs/formats.md): 2³², 136 years of versions numbered by
// seconds, far more for versions numbered by days or imports.
const MaxVersionJump = 1 << 32

// Options tune a Store. The zero value opens an existing store for a kiosk.
type Options struct {
	// Timeout bounds the wait for the file lock, so a second process on
	// the same file fails fast instead of hanging. Zero waits 2 s.
	Timeout time.Duration
	// NoSync skips fsync. Only for tests that say why; a kiosk never sets it.
	NoSync bool
	// Create allows Open to create a missing visit file, or to initialise
	// an empty one. Only provisioning, `snapshot import` and the demo set
	// it: without it a missing file is ErrNotFound and an empty one
	// ErrCorrupt.
	Create bool
	// ReadOnly opens both files read-only (stats, snapshot info): no file
	// is created, migrated or cleaned up, and every write fails with
	// ErrReadOnly. It works on a read-only file system.
	ReadOnly bool
	// SnapshotPath is the snapshot file. Empty: SnapshotPathFor(path).
	SnapshotPath string
	// HubKey is the pinned hub key. When set, a stored snapshot signed by
	// another key is refused: Open fails with ErrHubKeyMismatch, unless
	// ReplaceForeign is set.
	HubKey ed25519.PublicKey
	// ReplaceForeign (snapshot import) opens a store whose snapshot is
	// signed by another key than HubKey as if it had none, so that a
	// full snapshot from the pinned hub replaces it whatever its version.
	ReplaceForeign bool
	// ReplaceDamaged (snapshot import) lets a full import replace a
	// snapshot file found damaged at Open: the damaged file is kept aside
	// as SnapshotPath + ".damaged" and a fresh one created.
	ReplaceDamaged bool
	// Now is the clock an import's creation time is checked against;
	// nil is time.Now. ClockSkew is how far ahead of it a snapshot's
	// creation time may be (the config's policy.clock_skew).
	Now       func() time.Time
	ClockSkew time.Duration

	// blockEntries overrides BlockEntries (tests use small blocks to
	// exercise block boundaries).
	blockEntries int
	// phase, if set, is called at the named points of an import
	// ("verified", "flipped") and of a migration, so crash tests can kill
	// a child exactly between two steps.
	phase func(name string)
}

// SnapshotPathFor is where the snapshot file of the visit file at path
// lives by default: beside it, ".snapshot" before the extension
// (doorcheck.db → doorcheck.snapshot.db).
func SnapshotPathFor(path string) string {
	ext := filepath.Ext(path)
	if ext == "" || ext == filepath.Base(path) {
		return path + ".snapshot"
	}
	return strings.TrimSuffix(path, ext) + ".snapshot" + ext
}

// initialMmapSize is 1 GiB on 64-bit platforms and bbolt's default elsewhere.
const initialMmapSize = (strconv.IntSize / 64) << 30

// BlockEntries is how many entries one bbolt value holds. 774 × 21 bytes,
// the 82-byte checksum trailer (block.go) and bbolt's per-element overhead
// fill four 4 KiB pages (docs/storage.md).
const BlockEntries = 774

// Store is an open kiosk store: the visit file and the snapshot file. It
// is safe for concurrent use.
type Store struct {
	path, snapPath string
	opt            Options
	blockEntries   int
	phase          func(string)

	// log is the visit file; logFile is what bbolt opened, so Record can
	// tell whether the path still names it.
	log     *boltFile
	logFile os.FileInfo
	// logBroken, once set, refuses every further use of the visit file:
	// a fault or panic inside bbolt left it possibly inconsistent, or it
	// is no longer the file at path.
	logBroken brokenFlag

	// mu guards the snapshot file handle and the cached current snapshot:
	// its manifest, when it was imported and the name of its generation
	// bucket. Lookup uses the cached name to skip reading meta in every
	// transaction.
	mu         sync.RWMutex
	snap       *boltFile // nil: no snapshot file (yet), or it was refused
	snapShared bool      // snap is log: a read-only store in the single-file layout
	snapErr    error     // why the snapshot file was not opened, if it exists
	// foreign is the stored manifest that ReplaceForeign set aside: it
	// is not current, and the next full import replaces it.
	foreign *wire.Manifest
	// migrateProblem says why a migration left the old file's snapshot
	// behind.
	migrateProblem error
	manifest       *wire.Manifest
	importedAt     time.Time
	gen            []byte // never modified once set; replaced on flip
	// snapBroken refuses further use of the snapshot file after a fault
	// or panic inside bbolt.
	snapBroken brokenFlag

	snapshotMu sync.Mutex // one import or delta at a time
}

// Close closes both files.
func (s *Store) Close() error {
	s.mu.Lock()
	snap := s.snap
	s.snap = nil
	s.mu.Unlock()
	var errs []error
	if snap != nil && !s.snapShared {
		errs = append(errs, closeGuarded(snap, s.snapBroken.get() != nil))
	}
	errs = append(errs, closeGuarded(s.log, s.logBroken.get() != nil || s.snapShared && s.snapBroken.get() != nil))
	return errors.Join(errs...)
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.opt.ReadOnly }

// Path returns the visit file's path (the store's path).
func (s *Store) Path() string { return s.path }

// SnapshotPath returns the snapshot file's path.
func (s *Store) SnapshotPath() string { return s.snapPath }

// SnapshotProblem says why a snapshot file that exists was not opened
// (it is corrupt, wrapping ErrCorrupt): the store then works without a
// snapshot, every check is NOT VERIFIED, and visits are still recorded.
// Nil when the snapshot file is fine or absent.
func (s *Store) SnapshotProblem() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.snapErr == nil {
		return s.migrateProblem
	}
	return s.snapErr
}

func (s *Store) setCurrent(m *wire.Manifest, importedAt time.Time, gen []byte) {
	s.mu.Lock()
	s.manifest, s.importedAt, s.gen = m, importedAt, gen
	s.foreign, s.migrateProblem = nil, nil
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

// Info describes the current snapshot and the files.
type Info struct {
	Version    uint64
	CreatedAt  time.Time
	ImportedAt time.Time
	Entries    uint64
	Deployment string
	Issuers    int
	HubKeyID   wire.KeyID
	// FileSize is the snapshot file's size (0 when there is none).
	FileSize     int64
	SnapshotPath string
	// LogSize is the visit file's size.
	LogSize int64
	LogPath string
}

// Info returns facts about the current snapshot (zero when there is none)
// and the files' sizes.
func (s *Store) Info() (Info, error) {
	info := Info{SnapshotPath: s.snapPath, LogPath: s.path}
	s.mu.RLock()
	if m := s.manifest; m != nil {
		info.Version, info.CreatedAt, info.ImportedAt = m.Version, m.CreatedAt, s.importedAt
		info.Entries, info.Deployment, info.Issuers, info.HubKeyID = m.ResultEntries, m.Deployment, len(m.Issuers), m.HubKeyID
	}
	shared := s.snapShared
	s.mu.RUnlock()
	st, err := os.Stat(s.path)
	if err != nil {
		return info, errors.Join(errors.New("stat visit file"), err)
	}
	info.LogSize = st.Size()
	if shared {
		info.SnapshotPath, info.FileSize = s.path, st.Size()
		return info, nil
	}
	if st, err := os.Stat(s.snapPath); err == nil {
		info.FileSize = st.Size()
	}
	return info, nil
}

// hubKeyID is the id of a pinned key, zero when none is pinned.
func hubKeyID(key ed25519.PublicKey) wire.KeyID {
	if len(key) != ed25519.PublicKeySize {
		return wire.KeyID{}
	}
	return wire.KeyIDOf(key)
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
