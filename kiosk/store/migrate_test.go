package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// singleFile is a store in the single-file layout, written the way the
// code before the split wrote it: the visit log's buckets, meta with the
// snapshot's keys, and one generation of bare-entry blocks.
type singleFile struct {
	path    string
	version uint64
	entries []wire.Entry
	visits  []VisitID
}

// writeSingleFile records visits with the current code (the visit log's
// layout did not change), then adds the snapshot of the old layout with
// bbolt directly.
func writeSingleFile(t *testing.T, dir string, n int, manifestEntries int) singleFile {
	t.Helper()
	sf := singleFile{path: filepath.Join(dir, "k.db"), version: 7, entries: slices.Collect(sortedEntries(n, 21))}
	s, err := Open(sf.path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := range 30 {
		verdict, subject := VerdictAdmit, byte(i+1)
		if i%3 == 2 {
			verdict = VerdictDeny
		}
		v := visit(t, at.Add(time.Duration(i)*time.Minute), "entry", verdict, subject, "red")
		if _, err := s.Record(context.Background(), v); err != nil {
			t.Fatal(err)
		}
		sf.visits = append(sf.visits, v.ID)
	}
	undo := visit(t, at.Add(time.Hour), "entry", VerdictUndo, 0)
	undo.Undoes = sf.visits[0]
	if _, err := s.Record(context.Background(), undo); err != nil {
		t.Fatal(err)
	}
	sf.visits = append(sf.visits, undo.ID)
	if err := s.Ack(sf.visits[1]); err != nil {
		t.Fatal(err)
	}
	s.Close()

	m := manifest(sf.version)
	m.Format, m.Kind, m.HubKeyID = wire.FormatVersion, wire.KindFull, wire.KeyIDOf(hubPub)
	m.Records, m.ResultEntries = uint64(manifestEntries), uint64(manifestEntries)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(sf.path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gen := []byte("gen-0000000000000003")
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		for k, v := range map[string][]byte{keyCurrent: gen, keyManifest: raw, keyGenSeq: u64bytes(3),
			keyImportedAt: []byte("2026-11-24T08:00:00Z")} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucket(gen)
		if err != nil {
			return err
		}
		orphan, err := tx.CreateBucket([]byte("gen-0000000000000002")) // a crashed import's
		if err != nil {
			return err
		}
		if err := orphan.Put([]byte("x"), []byte("y")); err != nil {
			return err
		}
		const per = 7
		for i := 0; i < len(sf.entries); i += per {
			var block []byte
			for _, e := range sf.entries[i:min(i+per, len(sf.entries))] {
				block = wire.AppendEntry(block, e)
			}
			if err := b.Put(block[:wire.SubjectKeySize], block); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sf
}

// dumpFile reads every bucket of a bbolt file, read-only.
func dumpFile(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]map[string]string{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			kv := map[string]string{}
			out[string(name)] = kv
			return b.ForEach(func(k, v []byte) error { kv[string(k)] = string(v); return nil })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// visitLogOf is the visit log's part of a dump: no generation, no
// snapshot meta key.
func visitLogOf(d map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, kv := range d {
		if isGeneration([]byte(name)) {
			continue
		}
		out[name] = maps.Clone(kv)
		if name == bucketMeta {
			for _, k := range snapshotMetaKeys {
				delete(out[name], k)
			}
		}
	}
	return out
}

func equalDumps(a, b map[string]map[string]string) bool {
	return maps.EqualFunc(a, b, func(x, y map[string]string) bool { return maps.Equal(x, y) })
}

// checkMigrated opens the store in sf's directory and checks that it is
// in the two-file layout with the old snapshot current, whole, and the
// visit log unchanged from before.
func checkMigrated(t *testing.T, sf singleFile, logBefore map[string]map[string]string) {
	t.Helper()
	s, err := Open(sf.path, Options{NoSync: true, HubKey: hubPub})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := s.Current(); !ok || m.Version != sf.version {
		t.Fatalf("after migration: current %+v %v, want version %d", m, ok, sf.version)
	}
	checkAll(t, s, sf.entries)
	for _, id := range sf.visits {
		if _, ok, err := s.Visit(id); !ok || err != nil {
			t.Fatalf("visit %s lost in the migration (%v)", id, err)
		}
	}
	if n, _ := s.PendingCount(); n != len(sf.visits)-1 {
		t.Fatalf("outbox holds %d visits, want %d", n, len(sf.visits)-1)
	}
	if _, undone, _ := s.Undone(sf.visits[0]); !undone {
		t.Fatal("the undo was lost in the migration")
	}
	s.Close()

	logAfter := dumpFile(t, sf.path)
	for name := range logAfter {
		if isGeneration([]byte(name)) {
			t.Fatalf("visit file still holds generation %s", name)
		}
	}
	for _, k := range snapshotMetaKeys {
		if _, ok := logAfter[bucketMeta][k]; ok {
			t.Fatalf("visit file still holds meta/%s", k)
		}
	}
	if !equalDumps(logAfter, logBefore) {
		t.Fatalf("visit log changed in the migration:\nbefore %v\nafter  %v", logBefore, logAfter)
	}
	snap := dumpFile(t, SnapshotPathFor(sf.path))
	var gens []string
	for name := range snap {
		if isGeneration([]byte(name)) {
			gens = append(gens, name)
		}
	}
	if len(gens) != 1 {
		t.Fatalf("snapshot file generations %q, want one", gens)
	}
	for _, b := range logBuckets[1:] {
		if _, ok := snap[b]; ok {
			t.Fatalf("snapshot file holds the visit log's bucket %s", b)
		}
	}
	for _, tmp := range []string{sf.path + migrateSuffix, SnapshotPathFor(sf.path) + migrateSuffix} {
		if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left behind (%v)", tmp, err)
		}
	}
}

func TestMigrateSingleFile(t *testing.T) {
	sf := writeSingleFile(t, t.TempDir(), 5000, 5000)
	before := visitLogOf(dumpFile(t, sf.path))
	oldSize := fileSize(t, sf.path)
	checkMigrated(t, sf, before)
	if size := fileSize(t, sf.path); size >= oldSize {
		t.Errorf("visit file is %d bytes after the migration, %d before: the snapshot's pages stayed", size, oldSize)
	}
	checkMigrated(t, sf, before) // a second open changes nothing
}

// TestMigrateReadOnly: a read-only open reads the snapshot where the
// single-file layout keeps it, and changes nothing.
func TestMigrateReadOnly(t *testing.T) {
	sf := writeSingleFile(t, t.TempDir(), 500, 500)
	before, err := os.ReadFile(sf.path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(sf.path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := s.Current(); !ok || m.Version != sf.version {
		t.Fatalf("read-only open of a single-file store: current %+v %v", m, ok)
	}
	// Its blocks predate checksums: a lookup refuses them (block.go)
	// rather than answer from unchecked bytes; stats and info need none.
	if e, found, err := s.Lookup(sf.entries[0].Subject); err == nil && (!found || e != sf.entries[0]) {
		t.Fatalf("Lookup in a read-only single-file store = %+v %v, want the entry or an error", e, found)
	}
	s.Close()
	after, _ := os.ReadFile(sf.path)
	if !bytes.Equal(before, after) {
		t.Fatal("a read-only open changed the file")
	}
	if _, err := os.Stat(SnapshotPathFor(sf.path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read-only open created the snapshot file (%v)", err)
	}
}

// TestMigrateDamagedSnapshot: a snapshot that does not match its
// manifest is left behind; the visits move, and the store opens without
// a snapshot, saying why.
func TestMigrateDamagedSnapshot(t *testing.T) {
	sf := writeSingleFile(t, t.TempDir(), 500, 499)
	before := visitLogOf(dumpFile(t, sf.path))
	s, err := Open(sf.path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.Current(); ok {
		t.Fatal("a damaged snapshot became current")
	}
	if err := s.SnapshotProblem(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("SnapshotProblem() = %v, want ErrCorrupt", err)
	}
	for _, id := range sf.visits {
		if _, ok, err := s.Visit(id); !ok || err != nil {
			t.Fatalf("visit %s lost (%v)", id, err)
		}
	}
	s.Close()
	if after := dumpFile(t, sf.path); !equalDumps(after, before) {
		t.Fatal("visit log changed")
	}
}

// TestCrashDuringMigration kills a child at every step of the migration
// and checks that the store then opens migrated, whole, visits unchanged.
func TestCrashDuringMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	for _, phase := range []string{"migrate-snapshot-copied", "migrate-snapshot-written", "migrate-log-copied", "migrate-log-written", "done"} {
		t.Run(phase, func(t *testing.T) {
			dir := t.TempDir()
			sf := writeSingleFile(t, dir, 3000, 3000)
			before := visitLogOf(dumpFile(t, sf.path))
			hold := phase
			if phase == "done" {
				hold = ""
			}
			runAndKill(t, dir, "migrate", hold, lastLineIs(phase))
			// The kill left the state it was meant to.
			exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
			snapTmp, logTmp := exists(SnapshotPathFor(sf.path)+migrateSuffix), exists(sf.path+migrateSuffix)
			snapDone, logDone := exists(SnapshotPathFor(sf.path)), !slices.ContainsFunc(slices.Collect(maps.Keys(dumpFile(t, sf.path))), func(n string) bool { return isGeneration([]byte(n)) })
			want := map[string][4]bool{ // snapshot temp, snapshot renamed, log temp, log renamed
				"migrate-snapshot-copied":  {true, false, false, false},
				"migrate-snapshot-written": {false, true, false, false},
				"migrate-log-copied":       {false, true, true, false},
				"migrate-log-written":      {false, true, false, true},
				"done":                     {false, true, false, true},
			}[phase]
			if got := [4]bool{snapTmp, snapDone, logTmp, logDone}; got != want {
				t.Fatalf("killed at %s: state %v, want %v", phase, got, want)
			}
			checkMigrated(t, sf, before)
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
