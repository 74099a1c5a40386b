package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/snapgen"
)

// storeKiosk is a configured kiosk in a temporary directory, pinned to
// the hub key of snapgen seed 3, with snapshots of that hub to import.
type storeKiosk struct {
	dir, cfg, db string
}

func newStoreKiosk(t *testing.T) storeKiosk {
	t.Helper()
	k := storeKiosk{dir: t.TempDir()}
	k.cfg, k.db = filepath.Join(k.dir, "kiosk.yaml"), filepath.Join(k.dir, "k.db")
	pub := snapgen.KeysFor(3).Hub.Public().(ed25519.PublicKey)
	yaml := "kiosk: {id: k, venue: v, door: d}\nstore: {path: k.db}\nhub: {public_key: " + base64.StdEncoding.EncodeToString(pub) + "}\n"
	if err := os.WriteFile(k.cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// snapshot writes a full snapshot of the kiosk's hub and returns its path.
func (k storeKiosk) snapshot(t *testing.T, version uint64, created time.Time) string {
	t.Helper()
	s := snapgen.Generate(snapgen.Options{Subjects: 50, Seed: 3, Version: version, CreatedAt: created})
	var buf bytes.Buffer
	if err := s.WriteFull(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(k.dir, "v"+time.Now().Format("150405.000000000")+".snap")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (k storeKiosk) importOK(t *testing.T, snap string) {
	t.Helper()
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", k.cfg, snap); code != exitOK {
		t.Fatalf("import %s: exit %d: %s", snap, code, errOut)
	}
}

func (k storeKiosk) version(t *testing.T) string {
	t.Helper()
	out, errOut, code := run(t, nil, "", "snapshot", "info", "--config", k.cfg)
	if code != exitOK {
		t.Fatalf("snapshot info: exit %d: %s %s", code, out, errOut)
	}
	return strings.Fields(out)[1]
}

func wantMessage(t *testing.T, what, errOut string, code, wantCode int, words ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: exit %d, want %d\nstderr: %s", what, code, wantCode, errOut)
	}
	if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("%s: want one line on stderr, got %q", what, errOut)
	}
	for _, w := range words {
		if !strings.Contains(errOut, w) {
			t.Errorf("%s: stderr %q does not say %q", what, errOut, w)
		}
	}
}

// Issue 6, defects 3 and 10: a snapshot created in the future and one of
// version 2^64-1 are refused at import with a clear message, and neither
// blocks the next good one.
func TestImportRefusesFutureAndAbsurdVersions(t *testing.T) {
	k := newStoreKiosk(t)
	now := time.Now()
	k.importOK(t, k.snapshot(t, 1, now.Add(-time.Hour)))

	_, errOut, code := run(t, nil, "", "snapshot", "import", "--config", k.cfg, k.snapshot(t, 2, now.Add(time.Hour)))
	wantMessage(t, "future snapshot", errOut, code, exitFailure, "created in the future", "clock")
	_, errOut, code = run(t, nil, "", "snapshot", "import", "--config", k.cfg, k.snapshot(t, math.MaxUint64, now))
	wantMessage(t, "version 2^64-1", errOut, code, exitFailure, "jumps too far", "18446744073709551615")
	if v := k.version(t); v != "1" {
		t.Fatalf("version %s current after refused imports, want 1", v)
	}
	k.importOK(t, k.snapshot(t, 2, now))
	if v := k.version(t); v != "2" {
		t.Fatalf("version %s current, want 2", v)
	}
}

// Issue 6, defect 6: a damaged snapshot file alone does not stop the
// kiosk recording (every check NOT VERIFIED, said on stderr), and an
// import replaces it; a damaged visit file stops the kiosk with its own
// exit code and a message saying to keep the file.
func TestCorruptStoreFilesViaCLI(t *testing.T) {
	k := newStoreKiosk(t)
	iin := snapgen.IIN(3, 0)
	k.importOK(t, k.snapshot(t, 1, time.Now().Add(-time.Hour)))
	if err := os.Truncate(store.SnapshotPathFor(k.db), 8192); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, nil, "", "check", "--config", k.cfg, "--json", iin)
	if code != exitNotAdmit {
		t.Fatalf("check with a damaged snapshot file: exit %d, want %d\n%s%s", code, exitNotAdmit, out, errOut)
	}
	if v := parseLines(t, out)[0]; v.Verdict != "not_verified" || len(v.Reasons) == 0 || v.Reasons[0] != "no_snapshot" || !v.Recorded {
		t.Fatalf("check with a damaged snapshot file: %+v, want NOT VERIFIED no_snapshot, recorded", v)
	}
	wantMessage(t, "damaged snapshot file", errOut, exitNotAdmit, exitNotAdmit, "snapshot", "NOT VERIFIED", "snapshot import", "store is corrupt")

	k.importOK(t, k.snapshot(t, 2, time.Now()))
	if _, err := os.Stat(store.SnapshotPathFor(k.db) + ".damaged"); err != nil {
		t.Errorf("the damaged snapshot file was not kept aside: %v", err)
	}
	out, _, _ = run(t, nil, "", "check", "--config", k.cfg, "--json", iin)
	if v := parseLines(t, out)[0]; v.Verdict == "not_verified" || !v.Recorded {
		t.Fatalf("check after the re-import: %+v", v)
	}

	if err := os.Truncate(k.db, 8192); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "--config", k.cfg, "--json", iin},
		{"run", "--config", k.cfg, "--no-tui"},
		{"stats", "--config", k.cfg},
	} {
		out, errOut, code := run(t, nil, iin+"\n", args...)
		wantMessage(t, strings.Join(args[:1], " ")+" on a truncated visit file", errOut, code, exitStore, "visit file", "k.db", "truncated", "keep")
		if strings.Contains(out, `"recorded":true`) {
			t.Errorf("%s: recorded into a damaged visit file: %s", args[0], out)
		}
	}
}

// Issue 6, defect 10: stats and snapshot info open the store read-only:
// they change nothing (the read-only file system half is in
// TestFaultReadOnlyStore), and work on read-only files.
func TestStatsAndInfoReadOnly(t *testing.T) {
	k := newStoreKiosk(t)
	k.importOK(t, k.snapshot(t, 1, time.Now().Add(-time.Hour)))
	run(t, nil, "", "check", "--config", k.cfg, snapgen.IIN(3, 1))
	files := []string{k.db, store.SnapshotPathFor(k.db)}
	before := map[string][]byte{}
	for _, f := range files {
		before[f], _ = os.ReadFile(f)
		if err := os.Chmod(f, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"stats", "--config", k.cfg}, {"snapshot", "info", "--config", k.cfg}} {
		if out, errOut, code := run(t, nil, "", args...); code != exitOK || errOut != "" {
			t.Errorf("%s on read-only files: exit %d\n%s%s", args[0], code, out, errOut)
		}
	}
	for _, f := range files {
		if after, _ := os.ReadFile(f); !bytes.Equal(after, before[f]) {
			t.Errorf("a read-only command changed %s", f)
		}
	}
}
