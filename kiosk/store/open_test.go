package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// A configured kiosk never starts a fresh visit log silently: a missing
// file is ErrNotFound, a 0-byte one ErrCorrupt, unless Create is set.
func TestOpenNeverCreatesSilently(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := Open(missing, Options{NoSync: true}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open of a missing file: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open created %s (%v)", missing, err)
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty, Options{NoSync: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a 0-byte file: %v, want ErrCorrupt", err)
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Fatalf("Open initialised the 0-byte file (%d bytes)", st.Size())
	}
	for _, p := range []string{missing, empty} {
		s, err := Open(p, Options{NoSync: true, Create: true})
		if err != nil {
			t.Fatalf("Open(%s, Create): %v", p, err)
		}
		s.Close()
		if s, err = Open(p, Options{NoSync: true}); err != nil {
			t.Fatalf("reopen of a created store: %v", err)
		}
		s.Close()
	}
	// No snapshot file is made before an import.
	if _, err := os.Stat(SnapshotPathFor(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("snapshot file created without an import (%v)", err)
	}
	// A bbolt file that is no visit log is not taken for one.
	other := filepath.Join(dir, "other.db")
	s, err := Open(other, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := importBytes(s, fullFile(t, 1, sortedEntries(10, 1))); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(SnapshotPathFor(other), Options{NoSync: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a snapshot file as a visit file: %v, want ErrCorrupt", err)
	}
}

func TestSnapshotPathFor(t *testing.T) {
	for in, want := range map[string]string{
		"/var/lib/doorcheck/doorcheck.db": "/var/lib/doorcheck/doorcheck.snapshot.db",
		"k.db":                            "k.snapshot.db",
		"/data/store":                     "/data/store.snapshot",
		"/data/.hidden":                   "/data/.hidden.snapshot",
	} {
		if got := SnapshotPathFor(in); got != want {
			t.Errorf("SnapshotPathFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// The visit file deleted or replaced under a running store: Record used
// to report success into the unlinked inode.
func TestRecordChecksTheFileIsStillThere(t *testing.T) {
	for _, how := range []string{"deleted", "replaced"} {
		t.Run(how, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.db")
			s, err := Open(path, Options{NoSync: true, Create: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
			if _, err := s.Record(context.Background(), visit(t, at, "entry", VerdictAdmit, 1)); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if how == "replaced" {
				if err := os.WriteFile(path, []byte("not the store"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 3 {
				_, err := s.Record(context.Background(), visit(t, at.Add(time.Duration(i+1)*time.Second), "entry", VerdictAdmit, 2))
				if !errors.Is(err, ErrStoreGone) {
					t.Fatalf("Record %d after the file was %s: %v, want ErrStoreGone", i, how, err)
				}
			}
		})
	}
}

// Read-only opens (stats, snapshot info) write nothing and work on a
// read-only file in a read-only directory.
func TestReadOnlyOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	s, err := Open(path, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	entries := slices.Collect(sortedEntries(100, 5))
	if err := importBytes(s, fullFile(t, 4, slices.Values(entries))); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	if _, err := s.Record(context.Background(), visit(t, at, "entry", VerdictAdmit, 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := map[string][]byte{}
	for _, p := range []string{path, SnapshotPathFor(path)} {
		b, _ := os.ReadFile(p)
		before[p] = b
		if err := os.Chmod(p, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if os.Geteuid() == 0 {
		// Permissions do not bite root: the read-only open path is still
		// tested (nothing written, writes refused), the permission half
		// is not.
		t.Log("running as root: file modes are not enforced; checking that nothing is written")
	} else if _, err := Open(path, Options{NoSync: true}); err == nil {
		t.Fatal("a read-write open of a read-only file succeeded")
	}
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open: %v", err)
	}
	if m, ok := s.Current(); !ok || m.Version != 4 {
		t.Fatalf("read-only: current %+v %v", m, ok)
	}
	if c, err := s.Counters(at.Format(time.DateOnly)); err != nil || c.Entries != 1 {
		t.Fatalf("read-only counters %+v %v", c, err)
	}
	if info, err := s.Info(); err != nil || info.Version != 4 || info.FileSize == 0 || info.LogSize == 0 {
		t.Fatalf("read-only info %+v %v", info, err)
	}
	checkAll(t, s, entries)
	if _, err := s.Record(context.Background(), visit(t, at.Add(time.Second), "entry", VerdictAdmit, 2)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Record on a read-only store: %v, want ErrReadOnly", err)
	}
	if err := importBytes(s, fullFile(t, 5, sortedEntries(10, 6))); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Import on a read-only store: %v, want ErrReadOnly", err)
	}
	s.Close()
	for p, b := range before {
		if after, _ := os.ReadFile(p); !bytes.Equal(after, b) {
			t.Fatalf("read-only open changed %s", p)
		}
	}
}

// A store holding a snapshot signed by another hub key than the pinned
// one is refused at open (the demo issuer key is public); snapshot import
// opens it to replace it.
func TestForeignHubKeyRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := importBytes(s, fullFile(t, 50, sortedEntries(30, 7))); err != nil {
		t.Fatal(err)
	}
	s.Close()
	realKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	realPub := realKey.Public().(ed25519.PublicKey)
	_, err = Open(path, Options{NoSync: true, HubKey: realPub})
	if !errors.Is(err, ErrHubKeyMismatch) {
		t.Fatalf("Open pinned to another key: %v, want ErrHubKeyMismatch", err)
	}
	for _, want := range []string{wire.KeyIDOf(hubPub).String(), wire.KeyIDOf(realPub).String(), "snapshot import"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
	if s, err := Open(path, Options{NoSync: true, HubKey: hubPub}); err != nil {
		t.Fatalf("Open pinned to the signing key: %v", err)
	} else {
		s.Close()
	}

	// snapshot import: the foreign snapshot is no floor for versions.
	s, err = Open(path, Options{NoSync: true, HubKey: realPub, ReplaceForeign: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.Current(); ok {
		t.Fatal("foreign snapshot is current")
	}
	m := manifest(3) // below the foreign 50
	var buf bytes.Buffer
	want := slices.Collect(sortedEntries(40, 8))
	if err := wire.WriteFull(&buf, m, slices.Values(want), realKey); err != nil {
		t.Fatal(err)
	}
	r, err := wire.Open(bytes.NewReader(buf.Bytes()), realPub)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Import(context.Background(), r, nil); err != nil {
		t.Fatalf("import from the pinned hub over a foreign snapshot: %v", err)
	}
	checkAll(t, s, want)
	assertOneGeneration(t, s)
}

// Import guards: a snapshot from the future, an absurd version.
func TestImportGuards(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) // manifest() is made 2026-11-01
	file := func(version uint64, created time.Time) []byte {
		m := manifest(version)
		m.CreatedAt = created
		var buf bytes.Buffer
		if err := wire.WriteFull(&buf, m, sortedEntries(20, version), hubKey); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	open := func() *Store {
		return openTest(t, Options{NoSync: true, Now: func() time.Time { return now }, ClockSkew: time.Minute})
	}
	tests := []struct {
		name    string
		current uint64 // 0: no snapshot
		version uint64
		created time.Time
		want    error
	}{
		{"created in the future", 0, 5, now.Add(time.Hour), ErrFromFuture},
		{"created just within the skew", 0, 5, now.Add(59 * time.Second), nil},
		{"version 2^64-1", 0, math.MaxUint64, now, ErrVersionJump},
		{"version 2^64-1 over a snapshot", 7, math.MaxUint64, now, ErrVersionJump},
		{"jump just past the bound", 7, 7 + MaxVersionJump + 1, now, ErrVersionJump},
		{"jump of exactly the bound", 7, 7 + MaxVersionJump, now, nil},
		{"unix-seconds version on an empty store", 0, uint64(now.Unix()), now, nil},
		{"demo day version", 0, uint64(now.Unix()/86400 + 1), now, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open()
			if tt.current > 0 {
				if err := importBytes(s, file(tt.current, now.Add(-time.Hour))); err != nil {
					t.Fatal(err)
				}
			}
			err := importBytes(s, file(tt.version, tt.created))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("import: %v, want %v", err, tt.want)
			}
			m, _ := s.Current()
			switch {
			case tt.want != nil && tt.current == 0 && m != nil:
				t.Fatalf("refused snapshot became current: %+v", m)
			case tt.want != nil && tt.current > 0 && m.Version != tt.current:
				t.Fatalf("version %d current after a refused import, want %d", m.Version, tt.current)
			}
			if tt.want != nil && tt.current > 0 {
				// the refused snapshot blocks nothing: the next one imports
				if err := importBytes(s, file(tt.current+1, now)); err != nil {
					t.Fatalf("next import after a refused one: %v", err)
				}
			}
		})
	}
}

// A rotted byte in the stored manifest (its subject-hash key would make
// every subject unlisted: blue) is found at open: no snapshot, ErrCorrupt.
func TestManifestRotRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, Options{NoSync: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := importBytes(s, fullFile(t, 2, sortedEntries(30, 7))); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(SnapshotPathFor(path), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		raw := bytes.Clone(meta.Get([]byte(keyManifest)))
		i := bytes.Index(raw, []byte(`"subject_hash_key":"`)) + len(`"subject_hash_key":"`)
		raw[i] ^= 0x01 // still valid base64, another key
		return meta.Put([]byte(keyManifest), raw)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m, ok := s.Current(); ok {
		t.Fatalf("a rotted manifest is current: %+v", m)
	}
	if err := s.SnapshotProblem(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("SnapshotProblem() = %v, want ErrCorrupt", err)
	}
}
