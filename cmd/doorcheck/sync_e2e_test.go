package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/snapgen"
)

// hubBinary builds cmd/doorcheck-hub once per test run: the sync tests
// talk to a real hub process over loopback.
var hubBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "doorcheck-hub-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "doorcheck-hub")
	out, err := exec.Command("go", "build", "-o", bin, "../doorcheck-hub").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build doorcheck-hub: %v\n%s", err, out)
	}
	return bin, nil
})

// testHub is a hub data directory and, once served, its process.
type testHub struct {
	t    testing.TB
	bin  string
	data string
	url  string
}

func newTestHub(t testing.TB) *testHub {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs doorcheck-hub")
	}
	bin, err := hubBinary()
	if err != nil {
		t.Fatal(err)
	}
	h := &testHub{t: t, bin: bin, data: filepath.Join(t.TempDir(), "hub")}
	h.run("keygen", "--data", h.data, "--deployment", "test")
	return h
}

// run runs one hub command to completion and returns its stdout.
func (h *testHub) run(args ...string) string {
	h.t.Helper()
	out, err := h.try(args...)
	if err != nil {
		h.t.Fatalf("doorcheck-hub %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (h *testHub) try(args ...string) (string, error) {
	cmd := exec.Command(h.bin, args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	return string(out) + errb.String(), err
}

// serve starts `doorcheck-hub serve` on a free port and waits for its
// address line (a pipe, no sleeping). It returns the process, for the
// tests that kill it; cleanup kills it anyway.
func (h *testHub) serve() *exec.Cmd {
	h.t.Helper()
	cmd := exec.Command(h.bin, "serve", "--data", h.data, "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		h.t.Fatalf("hub did not start: %v", err)
	}
	h.url = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	go io.Copy(io.Discard, stdout)
	h.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// importIINs publishes a snapshot in which iins have the given statuses.
func (h *testHub) importIINs(iins []string, status func(i int) string) {
	h.t.Helper()
	var b strings.Builder
	b.WriteString("iin,status,valid_until\n")
	for i, iin := range iins {
		fmt.Fprintf(&b, "%s,%s,\n", iin, status(i))
	}
	path := filepath.Join(h.t.TempDir(), "status.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.run("import", "--data", h.data, path)
}

func (h *testHub) enroll(venue, door string) string {
	h.t.Helper()
	out := strings.TrimSpace(h.run("enroll", "--data", h.data, "--venue", venue, "--door", door, "--direction", "entry", "--url", h.url))
	f := strings.Fields(out)
	return f[len(f)-1]
}

// visitsToday sums the report's visits of the venue today.
func (h *testHub) visitsToday(venue string) int {
	h.t.Helper()
	return h.visitsOn(venue, time.Now().Format(time.DateOnly))
}

// visitsOn sums the report's visits of the venue on day (YYYY-MM-DD).
func (h *testHub) visitsOn(venue, day string) int {
	h.t.Helper()
	var r hub.Report
	out := h.run("report", "--data", h.data, "--json", "--day", day)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		h.t.Fatalf("report: %v\n%s", err, out)
	}
	n := 0
	for _, d := range r.Days {
		if d.Venue == venue {
			n += d.Entries + d.Exits + d.Denied + d.NotVerified + d.Overrides + d.Undos
		}
	}
	return n
}

func syncIINs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = snapgen.IIN(11, i)
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestProvisionSyncRevoke runs the whole upstream path between real
// processes: enroll → provision (first snapshot) → check → sync --once →
// the hub's report counts each visit once; a lost acknowledgement (the
// visit file restored from before the upload) is answered all duplicate;
// a new version arrives as a delta; a reused code is refused; a revoked
// kiosk stops syncing and keeps its unsent visits.
func TestProvisionSyncRevoke(t *testing.T) {
	h := newTestHub(t)
	iins := syncIINs(6)
	h.importIINs(iins, func(i int) string { return []string{"green", "red", "yellow"}[i%3] })
	h.serve()
	code := h.enroll("cinema-7", "north")

	dir := t.TempDir()
	cfg := filepath.Join(dir, "etc", "kiosk.yaml")
	db := filepath.Join(dir, "var", "doorcheck.db")
	vars := map[string]string{}
	out, errs, rc := run(t, vars, "", "provision", "--config", cfg, "--code", code, "--store", db)
	if rc != 0 {
		t.Fatalf("provision: %d\n%s%s", rc, out, errs)
	}
	if !strings.Contains(out, "venue cinema-7, door north, direction entry") || !strings.Contains(out, "snapshot version 1") {
		t.Fatalf("provision summary: %s", out)
	}
	if errs != "" {
		t.Errorf("provision drew on a non-terminal stderr: %q", errs)
	}
	for _, f := range []string{cfg, filepath.Join(dir, "etc", credentialFileName)} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v (want 0600)", f, err, fi.Mode())
		}
	}

	// The code is spent; a provisioned kiosk needs --force.
	if out, errs, rc := run(t, vars, "", "provision", "--config", cfg, "--code", code); rc != exitUsage || !strings.Contains(errs, "--force") {
		t.Errorf("provision again without --force: %d %s%s", rc, out, errs)
	}
	if out, errs, rc := run(t, vars, "", "provision", "--config", cfg, "--code", code, "--force"); rc == 0 || !strings.Contains(errs, "already been used") {
		t.Errorf("reused code: %d %s%s", rc, out, errs)
	}

	run(t, vars, "", append([]string{"check", "--config", cfg}, iins[:3]...)...)
	before := filepath.Join(dir, "before-upload.db")
	copyFile(t, db, before)
	out, errs, rc = run(t, vars, "", "sync", "--config", cfg, "--once")
	if rc != 0 || !strings.Contains(out, "uploaded: 3 new, 0 duplicate, 0 refused; 0 pending") || !strings.Contains(out, "snapshot: current, version 1 → 1") {
		t.Fatalf("sync --once: %d\n%s%s", rc, out, errs)
	}
	if n := h.visitsToday("cinema-7"); n != 3 {
		t.Fatalf("hub counts %d visits, want 3", n)
	}

	// Lose the acknowledgement: the same upload again is all duplicate.
	copyFile(t, before, db)
	out, errs, rc = run(t, vars, "", "sync", "--config", cfg, "--once")
	if rc != 0 || !strings.Contains(out, "uploaded: 0 new, 3 duplicate, 0 refused; 0 pending") {
		t.Fatalf("sync after a lost ack: %d\n%s%s", rc, out, errs)
	}
	if n := h.visitsToday("cinema-7"); n != 3 {
		t.Fatalf("hub counts %d visits after the repeat, want 3", n)
	}

	// A new version arrives as a delta.
	h.importIINs(iins, func(i int) string { return []string{"green", "green", "yellow"}[i%3] })
	out, errs, rc = run(t, vars, "", "sync", "--config", cfg, "--once")
	if rc != 0 || !strings.Contains(out, "snapshot: deltas, version 1 → 2") {
		t.Fatalf("sync after import: %d\n%s%s", rc, out, errs)
	}

	// Revoked: the kiosk stops, keeps what it has not sent, and says so.
	var kiosks struct {
		Kiosks []struct {
			Kiosk string `json:"kiosk"`
		} `json:"kiosks"`
	}
	if err := json.Unmarshal([]byte(h.run("kiosks", "--data", h.data, "--json")), &kiosks); err != nil || len(kiosks.Kiosks) != 1 {
		t.Fatalf("kiosks: %v %+v", err, kiosks)
	}
	h.run("revoke", "--data", h.data, kiosks.Kiosks[0].Kiosk)
	run(t, vars, "", "check", "--config", cfg, iins[3])
	out, errs, rc = run(t, vars, "", "sync", "--config", cfg, "--once")
	if rc == 0 || !strings.Contains(out, "revoked: this kiosk was revoked by the hub; its 1 unsent visits are kept") || !strings.Contains(errs, "revoked") {
		t.Fatalf("sync when revoked: %d\n%s%s", rc, out, errs)
	}
	if n := h.visitsToday("cinema-7"); n != 3 {
		t.Fatalf("hub counts %d visits after revocation, want 3", n)
	}
	out, _, _ = run(t, vars, "", "stats", "--config", cfg)
	if !strings.Contains(out, "1") {
		t.Logf("stats: %s", out)
	}
}
