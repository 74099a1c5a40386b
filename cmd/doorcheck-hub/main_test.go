package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/pgstore/pgtest"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// childEnv makes the test binary run as doorcheck-hub: tests start real hub
// processes by re-executing themselves with it set.
const childEnv = "DOORCHECK_HUB_TEST_CHILD"

// killAtEnv names the import stage at which a child import stops to be
// SIGKILLed.
const killAtEnv = "DOORCHECK_HUB_TEST_STOP_AT"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		var hook func(hub.ImportProgress)
		if stage := os.Getenv(killAtEnv); stage != "" {
			// Stop at the stage, say so on stderr, and wait to be killed.
			hook = func(p hub.ImportProgress) {
				if string(p.Stage) == stage {
					fmt.Fprintf(os.Stderr, "stopped at %s\n", stage)
					select {}
				}
			}
		}
		mainWith(hook)
		return
	}
	os.Exit(pgtest.Main(m, &pg))
}

// pg is the test binary's PostgreSQL server (pg_test.go), started by the
// first test that needs it.
var pg pgtest.Server

// testNow is the in-process commands' clock. It is the real time, because
// the hub processes the tests start judge enrollment expiry by their own.
var testNow = time.Now().UTC().Truncate(time.Second)

// run runs one command line in-process.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: func() time.Time { return testNow }}
	code = Main(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("doorcheck-hub %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// testIINs returns n checksum-valid IINs.
func testIINs(n int) []string {
	var out []string
	for p := 92010100000; len(out) < n; p += 11 {
		if iin, ok := pass.MakeIIN(fmt.Sprintf("%011d", p)); ok {
			out = append(out, iin)
		}
	}
	return out
}

func writeCSV(t *testing.T, dir, name string, iins []string, shift int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("iin,status,valid_until\n")
	statuses := []string{"red", "yellow", "green", "green", "blue"}
	for i, iin := range iins {
		u := ""
		if i%4 == 0 {
			u = "2026-12-20T00:00:00Z"
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", iin, statuses[(i+shift)%len(statuses)], u)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func keygen(t *testing.T) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	out := mustRun(t, "keygen", "--data", data, "--deployment", "test")
	if !strings.Contains(out, "fingerprint sha256:") {
		t.Fatalf("keygen output: %s", out)
	}
	return data
}

func TestKeygenRefusesExistingKeys(t *testing.T) {
	data := keygen(t)
	before, _ := os.ReadFile(filepath.Join(data, "keys", "hub.key"))
	code, _, errs := run(t, "keygen", "--data", data)
	after, _ := os.ReadFile(filepath.Join(data, "keys", "hub.key"))
	if code != exitFailure || !strings.Contains(errs, "already has keys") || !bytes.Equal(before, after) {
		t.Fatalf("second keygen: exit %d %s", code, errs)
	}
}

// TestEveryCommandRefusesReadableKeys: a key file others can read stops
// every command that uses the data directory before it does anything.
func TestEveryCommandRefusesReadableKeys(t *testing.T) {
	data := keygen(t)
	csv := writeCSV(t, t.TempDir(), "s.csv", testIINs(3), 0)
	for _, file := range []string{"hub.key", "issuer.key", "subject.key"} {
		path := filepath.Join(data, "keys", file)
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"import", "--data", data, csv},
			{"serve", "--data", data, "--addr", "127.0.0.1:0"},
			{"enroll", "--data", data, "--venue", "v", "--door", "d", "--direction", "entry", "--url", "http://hub"},
			{"kiosks", "--data", data},
			{"revoke", "--data", data, "k-x"},
			{"report", "--data", data, "--day", "2026-12-02"},
			{"pass", "--data", data, "--iin", "900101400003"},
		} {
			code, _, errs := run(t, args...)
			if code != exitFailure || !strings.Contains(errs, file) || !strings.Contains(errs, "chmod 600") {
				t.Errorf("%s with %s at 0644: exit %d, %s", args[0], file, code, errs)
			}
		}
		os.Chmod(path, 0o600)
	}
	if _, err := os.Stat(filepath.Join(data, "public")); !os.IsNotExist(err) {
		t.Fatal("a refused command published something")
	}
}

func TestImportCommand(t *testing.T) { forBackends(t, testImportCommand) }

func testImportCommand(t *testing.T, backend string) {
	data := keygen(t)
	dir := t.TempDir()
	iins := testIINs(50)
	out := mustRun(t, "import", "--data", data, writeCSV(t, dir, "v1.csv", iins[:40], 0))
	for _, want := range []string{"published snapshot version 1: 32 entries from 40 rows", "red 8, yellow 8, green 16, blue 8", "full  full-1.dcsnap", "delta none: this is the first version"} {
		if !strings.Contains(out, want) {
			t.Errorf("first import output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, "import", "--data", data, writeCSV(t, dir, "v2.csv", iins[10:], 0))
	if !strings.Contains(out, "published snapshot version 2") || !strings.Contains(out, "delta delta-1-2.dcsnap") {
		t.Errorf("second import output:\n%s", out)
	}
	// Bad rows: every one reported with its line, nothing published.
	bad := "iin,status,valid_until\n" + iins[0] + ",red,\n12345,red,\n" + iins[1] + ",blue,yesterday\n" + iins[0] + ",green,\n"
	path := filepath.Join(dir, "bad.csv")
	os.WriteFile(path, []byte(bad), 0o600)
	code, out, errs := run(t, "import", "--data", data, path)
	if code != exitFailure || out != "" {
		t.Fatalf("bad import: exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"3 bad rows, nothing published", "line 3: iin", "line 4: valid_until", "line 5: the same IIN as line 2"} {
		if !strings.Contains(errs, want) {
			t.Errorf("bad import report lacks %q:\n%s", want, errs)
		}
	}
	for _, iin := range iins {
		if strings.Contains(errs, iin) {
			t.Fatalf("the report shows an IIN:\n%s", errs)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "public", "v1", "files", "full-3.dcsnap")); !os.IsNotExist(err) {
		t.Fatal("a bad import published version 3")
	}
	assertNoIIN(t, data, iins)
}

// assertNoIIN greps every file under the data directory for raw IINs.
func assertNoIIN(t *testing.T, data string, iins []string) {
	t.Helper()
	n := 0
	err := filepath.Walk(data, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, iin := range iins {
			if bytes.Contains(b, []byte(iin)) {
				t.Errorf("%s holds a raw IIN", path)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("only %d files under %s: the check looked at nothing", n, data)
	}
}

// TestPassCommand: the pass verifies against the trust list of the hub's
// own snapshot, names the IIN's subject key, has the asked window, and the
// IIN is not printed.
func TestPassCommand(t *testing.T) {
	data := keygen(t)
	iins := testIINs(1)
	mustRun(t, "import", "--data", data, writeCSV(t, t.TempDir(), "s.csv", iins, 2))
	out := mustRun(t, "pass", "--data", data, "--iin", iins[0], "--valid", "1h", "--not-before", "2026-12-02T10:00:00Z")
	if strings.Contains(out, iins[0]) {
		t.Fatalf("pass output shows the IIN:\n%s", out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	payload := lines[len(lines)-1]
	f, _ := os.Open(filepath.Join(data, "public", "v1", "files", "full-1.dcsnap"))
	defer f.Close()
	r, err := wire.Open(f, hubKey(t, data))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)
	p, err := pass.Verify(payload, r.Manifest.TrustList(), at, 0)
	if err != nil {
		t.Fatalf("pass does not verify against the snapshot's trust list: %v", err)
	}
	if p.Subject != r.Manifest.Hasher().IIN(iins[0]) || !p.NotBefore.Equal(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)) || p.ExpiresAt.Sub(p.NotBefore) != time.Hour {
		t.Fatalf("pass: %+v", p)
	}
	if _, err := pass.Verify(payload, r.Manifest.TrustList(), at.Add(time.Hour), 0); err == nil {
		t.Fatal("pass valid after its hour")
	}
	if code, _, errs := run(t, "pass", "--data", data, "--iin", "123"); code != exitFailure || !strings.Contains(errs, "iin") {
		t.Fatalf("bad IIN: %d %s", code, errs)
	}
}
