package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/scanner"
)

// unrecordedLine is the part of a verdict line a turnstile controller
// reads when a visit could not be recorded.
type unrecordedLine struct {
	Status        string   `json:"status"`
	Verdict       string   `json:"verdict"`
	Reasons       []string `json:"reasons"`
	Recorded      bool     `json:"recorded"`
	Failure       string   `json:"failure"`
	FailureDetail string   `json:"failure_detail"`
	Source        string   `json:"source"`
}

// brokenStoreKiosk opens the demo kiosk and closes its store under the
// checker: every Record fails from then on, the way a full or failed disk
// makes it fail, deterministically and without privileges.
func brokenStoreKiosk(t *testing.T, e *env) *openedKiosk {
	t.Helper()
	k, err := openKiosk(context.Background(), e, kioskFlags{demo: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.store.Close(); err != nil {
		t.Fatal(err)
	}
	return k
}

// testPayloads is one payload of each kind the kiosk meets: an admit, a
// deny, a pass and rubbish with an escape sequence.
func testPayloads(t *testing.T) []string {
	return []string{demo.People()[0].IIN, demo.People()[3].IIN, sample(t, "pass, green"), "garbage\x1b[2J"}
}

// assertUnrecorded checks that out has exactly one cannot_record line per
// payload, with a failure code and no trace of the payloads.
func assertUnrecorded(t *testing.T, out string, payloads []string, failure string) {
	t.Helper()
	lines := decodeLines[unrecordedLine](t, out)
	if len(lines) != len(payloads) {
		t.Fatalf("%d payloads gave %d lines: %q", len(payloads), len(lines), out)
	}
	for i, l := range lines {
		if l.Verdict != "cannot_record" || l.Status != "" || len(l.Reasons) != 0 || l.Recorded || l.FailureDetail == "" ||
			(failure != "" && l.Failure != failure) || l.Failure == "" {
			t.Errorf("line %d = %+v, want a cannot_record line with failure %q", i, l, failure)
		}
	}
	assertNoPayload(t, "stdout", out, payloads)
}

// assertNoPayload fails when any payload, or the start of one, appears in
// out, raw or escaped.
func assertNoPayload(t *testing.T, what, out string, payloads []string) {
	t.Helper()
	for _, p := range payloads {
		for _, needle := range []string{p, p[:min(len(p), 12)], fmt.Sprintf("%q", p)} {
			if strings.Contains(out, needle) {
				t.Fatalf("%s holds payload %q: %s", what, needle, out)
			}
		}
	}
	if strings.Contains(out, "garbage") {
		t.Fatalf("%s holds a payload: %s", what, out)
	}
}

// TestRunHeadlessCannotRecord: with a store that refuses every write, the
// headless loop still prints exactly one JSON line per scan, each saying
// cannot_record and why, exits 1, and neither stream names a payload.
func TestRunHeadlessCannotRecord(t *testing.T) {
	vars := demoEnv(t)
	payloads := testPayloads(t)
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(strings.Join(payloads, "\n") + "\n"), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	k := brokenStoreKiosk(t, e)
	log := slog.New(slog.NewTextHandler(&errb, nil))
	err := runHeadless(context.Background(), e, k, make(chan scanner.Scan, 16), make(chan scanner.Event, 16), true, log)
	if err == nil || exitCode(e, "run", err) != exitFailure {
		t.Fatalf("run ended with %v, want exit %d", err, exitFailure)
	}
	assertUnrecorded(t, out.String(), payloads, "store_closed")
	if n := strings.Count(errb.String(), "cannot record visit"); n < len(payloads) {
		t.Errorf("stderr logs %d failures for %d scans: %s", n, len(payloads), errb.String())
	}
	assertNoPayload(t, "stderr", errb.String(), payloads)
	assertTerminalSafe(t, "stderr", errb.String())
}

// TestCheckCannotRecord: check --json prints a cannot_record line for
// every payload it could not record (not just an error on stderr), and
// exits 1; the human form says CANNOT RECORD and shows no colour.
func TestCheckCannotRecord(t *testing.T) {
	vars := demoEnv(t)
	payloads := testPayloads(t)
	for _, asJSON := range []bool{true, false} {
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
		k := brokenStoreKiosk(t, e)
		err := checkPayloads(context.Background(), e, k, payloads, asJSON)
		if code := exitCode(e, "check", err); code != exitFailure {
			t.Fatalf("json %v: exit %d, want %d", asJSON, code, exitFailure)
		}
		if asJSON {
			assertUnrecorded(t, out.String(), payloads, "store_closed")
		} else {
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(payloads) {
				t.Fatalf("%d payloads, %d lines: %q", len(payloads), len(lines), out.String())
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, "CANNOT RECORD (store_closed)") || strings.Contains(l, "green") || strings.Contains(l, "red") {
					t.Errorf("human line %q", l)
				}
			}
		}
		assertNoPayload(t, "output", out.String()+errb.String(), payloads)
		assertTerminalSafe(t, "output", out.String()+errb.String())
	}
}

// TestCannotRecordFullDisk is the real thing: the demo store on a tmpfs
// that is then filled to the last byte. It needs the right to mount
// (root in a sandbox); elsewhere the closed-store tests above stand in.
// Records may still succeed while bbolt reuses freed pages, so the test
// asserts that every scan gives exactly one line, that every line is a
// recorded verdict or a disk_full cannot_record, and that the full disk
// is reported.
func TestCannotRecordFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): the closed-store tests cover this", err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	vars := map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(dir, "demo.db")}
	green := demo.People()[0].IIN
	if _, errOut, code := run(t, vars, "", "check", "--demo", "--json", green); code != exitOK {
		t.Fatalf("set up the store: %d %s", code, errOut)
	}
	fill(t, filepath.Join(dir, "filler"))

	// Distinct payloads, so the debounce never answers instead of the store.
	var payloads []string
	for i := range 200 {
		payloads = append(payloads, fmt.Sprintf("stray-%04d", i))
	}
	out, errOut, code := run(t, vars, strings.Join(payloads, "\n")+"\n", "run", "--demo", "--no-tui")
	failed := countFullDiskLines(t, "run", out, payloads)
	if failed == 0 || code != exitFailure {
		t.Fatalf("a full disk went unreported: %d cannot_record lines, exit %d", failed, code)
	}
	t.Logf("full disk: %d of %d scans could not be recorded, each with its line", failed, len(payloads))
	assertTerminalSafe(t, "stderr", errOut)
	assertNoPayload(t, "stderr", errOut, payloads)

	// The disk is still full: check --json says so on a line per payload.
	checked := []string{"stray-a", "stray-b", "stray-c"}
	out, errOut, code = run(t, vars, "", append([]string{"check", "--demo", "--json"}, checked...)...)
	if failed := countFullDiskLines(t, "check", out, checked); failed == 0 || code != exitFailure {
		t.Fatalf("check on a full disk: %d cannot_record lines, exit %d (stderr %s)", failed, code, errOut)
	}
}

// countFullDiskLines checks that out has one line per payload, each a
// recorded verdict or a disk_full cannot_record without a payload in it,
// and returns how many could not be recorded.
func countFullDiskLines(t *testing.T, what, out string, payloads []string) int {
	t.Helper()
	lines := decodeLines[unrecordedLine](t, out)
	if len(lines) != len(payloads) {
		t.Fatalf("%s: %d scans gave %d lines", what, len(payloads), len(lines))
	}
	failed := 0
	for i, l := range lines {
		switch {
		case l.Recorded && l.Verdict == "not_verified":
		case l.Verdict == "cannot_record" && l.Failure == "disk_full" && !l.Recorded && l.Status == "" && len(l.Reasons) == 0:
			failed++
		default:
			t.Fatalf("%s: line %d = %+v", what, i, l)
		}
	}
	assertNoPayload(t, what, out, payloads)
	return failed
}

// fill writes path until the file system is full, down to its last
// partial page.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for len(buf) > 0 {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: %v", err)
			}
			buf = buf[:len(buf)/2] // fill the last partial pages too
		}
	}
}
