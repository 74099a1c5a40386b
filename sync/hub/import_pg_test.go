package hub_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// statusLists are two versions of a list: 5 gone, 5 new, 3 changed
// status (one to blue), 2 changed end.
func statusLists() (ids []string, v1, v2 []person) {
	ids = iins(100)
	v1 = people(ids[:80], 0)
	v2 = append(slices.Clone(v1[5:]), people(ids[80:85], 0)...)
	v2[0].status, v2[1].status, v2[2].status = wire.Green, wire.Red, wire.Blue
	v2[3].until, v2[4].until = time.Time{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	return ids, v1, v2
}

// TestImportBackendsPublishTheSameFiles: the same lists, keys and clock
// give byte-identical snapshot, delta, transfer and index files whether
// the delta is found by reading the previous file (bbolt) or by the set
// difference of the status rows (PostgreSQL).
func TestImportBackendsPublishTheSameFiles(t *testing.T) {
	_, v1, v2 := statusLists()
	var trees [2]map[string][]byte
	for i, backend := range backends {
		f := newFixture(t, backend)
		f.keys = mustKeys(t, f.keys)
		f.keys.Hub, f.keys.Issuer = fixedKey(9), fixedKey(10)
		for _, list := range [][]person{v1, v2} {
			if _, err := f.importText(t, hub.CSV, csvOf(list), 0); err != nil {
				t.Fatalf("%s: %v", backend, err)
			}
		}
		trees[i] = map[string][]byte{}
		entries, err := os.ReadDir(f.d.FilesDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(f.d.FilesDir(), e.Name()))
			trees[i][e.Name()] = b
		}
		trees[i]["manifest"], _ = os.ReadFile(f.d.ManifestFile())
	}
	if len(trees[0]) != 6 { // full-1, full-1.dcx, full-2, full-2.dcx, delta-1-2, manifest
		t.Fatalf("bbolt published %d files", len(trees[0]))
	}
	for name, b := range trees[0] {
		if !bytes.Equal(trees[1][name], b) {
			t.Errorf("%s differs between bbolt and postgres", name)
		}
	}
	if len(trees[1]) != len(trees[0]) {
		t.Errorf("postgres published %d files, bbolt %d", len(trees[1]), len(trees[0]))
	}
}

// fixedKey is a deterministic signing key (ed25519 signatures are
// deterministic, so two hubs with the same keys sign alike).
func fixedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))
}

// deltaSize is the number of changes from list a to list b.
func deltaSize(keys hub.Keys, a, b []person) uint64 {
	return uint64(len(slices.Collect(wire.Diff(slices.Values(expected(keys, a)), slices.Values(expected(keys, b))))))
}

// TestImportStatusRowsInPostgres: the list is in status_rows, keyed by
// subject hash, and each version's delta in status_changes is the delta
// file's records.
func TestImportStatusRowsInPostgres(t *testing.T) {
	f := newFixture(t, "postgres")
	pool := f.st.(*pgstore.Store).Pool()
	ctx := context.Background()
	_, v1, v2 := statusLists()
	for i, list := range [][]person{v1, v2} {
		res, err := f.importText(t, hub.CSV, csvOf(list), 0)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := pool.Query(ctx, "SELECT subject, status, coalesce(extract(epoch FROM until)::bigint, 0) FROM status_rows ORDER BY subject")
		if err != nil {
			t.Fatal(err)
		}
		var got []wire.Entry
		for rows.Next() {
			var subject []byte
			var status int16
			var until int64
			if err := rows.Scan(&subject, &status, &until); err != nil {
				t.Fatal(err)
			}
			e := wire.Entry{Status: wire.Status(status), Until: uint32(until)}
			copy(e.Subject[:], subject)
			got = append(got, e)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, expected(f.keys, list)) {
			t.Fatalf("version %d: status_rows hold %d rows, not the list", i+1, len(got))
		}
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM status_changes WHERE version = $1", i+1).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if n != 0 {
				t.Fatalf("the first version recorded %d changes", n)
			}
			continue
		}
		_, changes := readDelta(t, f, res.Version.Delta.Name)
		if want := deltaSize(f.keys, v1, v2); n != len(changes) || uint64(n) != res.DeltaRecords || uint64(n) != want || want == 0 {
			t.Fatalf("status_changes %d, delta file %d, result %d; want %d", n, len(changes), res.DeltaRecords, want)
		}
	}
}

// TestImportCommitFailsAfterTheFiles: the database connection is cut
// after the files are in place and before the commit. Nothing is
// published (storage, rows, index stay at version 1, and the index names
// only files that are there), the orphan files are harmless, and the next
// import publishes version 2 over them.
func TestImportCommitFailsAfterTheFiles(t *testing.T) {
	f := newFixture(t, "postgres")
	pool := f.st.(*pgstore.Store).Pool()
	ctx := context.Background()
	_, v1, v2 := statusLists()
	if _, err := f.importText(t, hub.CSV, csvOf(v1), 0); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(f.d.ManifestFile())
	var rowsBefore int
	pool.QueryRow(ctx, "SELECT count(*) FROM status_rows").Scan(&rowsBefore)

	f.now = f.now.Add(time.Hour)
	_, err := hub.Import(ctx, f.d, f.st, f.keys, f.cfg, strings.NewReader(csvOf(v2)), hub.ImportOptions{
		Now: func() time.Time { return f.now },
		Progress: func(p hub.ImportProgress) {
			if p.Stage != hub.StagePublish {
				return
			}
			// The import's transaction is the one session idle in one.
			if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND state LIKE 'idle in transaction%'`); err != nil {
				t.Error(err)
			}
		},
	})
	if err == nil {
		t.Fatal("the import whose connection was cut before its commit succeeded")
	}
	if _, err := os.Stat(filepath.Join(f.d.FilesDir(), protocol.FullName(2))); err != nil {
		t.Fatalf("the files were not in place before the commit: %v", err)
	}
	latest, err := f.st.LatestSnapshot(ctx)
	if err != nil || latest.Version != 1 {
		t.Fatalf("latest after the failed commit: %+v %v", latest, err)
	}
	var rowsAfter, changes int
	pool.QueryRow(ctx, "SELECT count(*) FROM status_rows").Scan(&rowsAfter)
	pool.QueryRow(ctx, "SELECT count(*) FROM status_changes").Scan(&changes)
	if rowsAfter != rowsBefore || changes != 0 {
		t.Fatalf("the failed import left rows: %d (was %d), %d changes", rowsAfter, rowsBefore, changes)
	}
	if after, _ := os.ReadFile(f.d.ManifestFile()); !bytes.Equal(after, before) {
		t.Fatal("the failed import changed the index")
	}
	if err := hub.EnsureIndex(ctx, f.d.Artifacts(), f.st, f.keys, f.cfg, f.now); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(f.d.ManifestFile()); !bytes.Equal(after, before) {
		t.Fatal("serve's index repair published the failed version")
	}

	res, err := f.importText(t, hub.CSV, csvOf(v2), 0)
	if err != nil || res.Version.Version != 2 || res.DeltaRecords != deltaSize(f.keys, v1, v2) {
		t.Fatalf("the next import: %+v %v", res, err)
	}
	_, got := readFull(t, f, protocol.FullName(2))
	if !slices.Equal(got, expected(f.keys, v2)) {
		t.Fatal("full-2 is not the second list")
	}
	if left, _ := filepath.Glob(filepath.Join(string(f.d.Artifacts().StagingDir()), "import-*")); len(left) != 0 {
		t.Fatalf("staging left: %v", left)
	}
}

// TestImportsSerialisedAcrossInstances: two hub instances (two data
// directories, one database, one artifacts directory) cannot import at
// once — the second is told another import runs — and the one after
// builds on the other's version.
func TestImportsSerialisedAcrossInstances(t *testing.T) {
	a := newFixture(t, "postgres")
	shared := a.d.Artifacts()
	bd := hub.DataDir(filepath.Join(t.TempDir(), "b"))
	if err := os.MkdirAll(string(bd), 0o700); err != nil {
		t.Fatal(err)
	}
	bst := openPG(t, a.st.(*pgstore.Store).Pool().Config().ConnString())
	defer bst.Close()
	_, v1, v2 := statusLists()
	ctx := context.Background()
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := hub.Import(ctx, a.d, a.st, a.keys, a.cfg, strings.NewReader(csvOf(v1)), hub.ImportOptions{
			Progress: func(p hub.ImportProgress) {
				if p.Stage == hub.StageFull {
					close(entered)
					<-release
				}
			},
		})
		done <- err
	}()
	<-entered
	importB := func() (*hub.ImportResult, error) {
		return hub.Import(ctx, bd, bst, a.keys, a.cfg, strings.NewReader(csvOf(v2)), hub.ImportOptions{Artifacts: shared})
	}
	if _, err := importB(); !errors.Is(err, hub.ErrImportRunning) {
		t.Fatalf("an import while another instance's runs: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res, err := importB()
	if err != nil || res.Version.Version != 2 || res.DeltaRecords != deltaSize(a.keys, v1, v2) {
		t.Fatalf("the other instance's next import: %+v %v", res, err)
	}
	doc, _ := os.ReadFile(shared.ManifestFile())
	if x, err := protocol.VerifyIndex(doc, a.keys.HubPublic()); err != nil || x.Version != 2 || len(x.Deltas) != 1 {
		t.Fatalf("shared index: %+v %v", x, err)
	}
	if _, err := os.Stat(filepath.Join(string(bd), "public")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("B wrote into its own data directory's public files")
	}
}

// TestIndexNamesOnlyFilesThatAreThere: a hub instance whose artifacts
// directory lacks a published version's file (not the one import wrote,
// or a file lost) keeps its old index and says why.
func TestIndexNamesOnlyFilesThatAreThere(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		_, v1, v2 := statusLists()
		for _, list := range [][]person{v1, v2} {
			if _, err := f.importText(t, hub.CSV, csvOf(list), 0); err != nil {
				t.Fatal(err)
			}
		}
		other := hub.Artifacts(t.TempDir())
		err := hub.EnsureIndex(context.Background(), other, f.st, f.keys, f.cfg, f.now)
		if err == nil || !strings.Contains(err.Error(), "full-2.dcsnap") || !strings.Contains(err.Error(), "artifacts directory") {
			t.Fatalf("index over an empty artifacts directory: %v", err)
		}
		if _, err := os.Stat(other.ManifestFile()); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("an index naming missing files was written")
		}
	})
}

// TestImportNewSubjectKeyHasNoDelta: a version made with a new
// subject-hash key publishes no delta (kiosks take the full file), and on
// PostgreSQL replaces every status row with the new hashes.
func TestImportNewSubjectKeyHasNoDelta(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		_, v1, v2 := statusLists()
		if _, err := f.importText(t, hub.CSV, csvOf(v1), 0); err != nil {
			t.Fatal(err)
		}
		f.keys.SubjectHash = bytes.Repeat([]byte{3}, 32)
		res, err := f.importText(t, hub.CSV, csvOf(v2), 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Version.Version != 2 || res.Version.HasDelta() || res.DeltaRecords != 0 {
			t.Fatalf("import under a new key: %+v", res)
		}
		if _, got := readFull(t, f, protocol.FullName(2)); !slices.Equal(got, expected(f.keys, v2)) {
			t.Fatal("full-2 is not the list under the new key")
		}
		if backend != "postgres" {
			return
		}
		pool := f.st.(*pgstore.Store).Pool()
		var rows, changes, v2rows int
		pool.QueryRow(context.Background(), "SELECT count(*), count(*) FILTER (WHERE version = 2) FROM status_rows").Scan(&rows, &v2rows)
		pool.QueryRow(context.Background(), "SELECT count(*) FROM status_changes").Scan(&changes)
		if want := len(expected(f.keys, v2)); rows != want || v2rows != want || changes != 0 {
			t.Fatalf("status_rows %d (%d of version 2), want %d; %d changes recorded", rows, v2rows, want, changes)
		}
	})
}
