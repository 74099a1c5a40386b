package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Crash tests re-execute this test binary as a child that imports a
// snapshot or applies a delta, and SIGKILL it at a chosen point of its
// progress, reported on a pipe. The parent then reopens the store and
// checks that exactly one snapshot — the old or the new, never a mix — is
// current and whole.

const crashEnv = "DOORCHECK_STORE_CRASH_CHILD"

// crashBlock is a small block size, so an import takes many transactions
// and a kill can land between any two of them.
const crashBlock = 64

func TestCrashChild(t *testing.T) {
	role := os.Getenv(crashEnv)
	if role == "" {
		t.Skip("only runs as a crash-test child")
	}
	dir := os.Getenv("DOORCHECK_CRASH_DIR")
	s, err := Open(filepath.Join(dir, "k.db"), Options{blockEntries: crashBlock})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	data, err := os.ReadFile(filepath.Join(dir, role+".snap"))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	r, err := wire.Open(bytes.NewReader(data), hubPub)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("start")
	n := 0
	err = s.Import(context.Background(), r, func(Progress) {
		n++
		fmt.Println("progress", n)
	})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("done")
	// Wait to be killed: the parent decides when.
	time.Sleep(time.Minute)
}

// runAndKill starts the child and kills it once it has printed the line
// killAt. It returns the lines the child printed.
func runAndKill(t *testing.T, dir, role, killAt string) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+role, "DOORCHECK_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if strings.HasPrefix(line, "error") {
			t.Fatalf("child: %s", line)
		}
		if line == killAt {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("child ended before %q: %q", killAt, lines)
	}
	return lines
}

// verifyOneOf reopens the store and checks it holds exactly one of the
// snapshots, whole, and no leftover generation.
func verifyOneOf(t *testing.T, dir string, versions map[uint64][]wire.Entry) uint64 {
	t.Helper()
	s, err := Open(filepath.Join(dir, "k.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, ok := s.Current()
	if !ok {
		t.Fatal("no snapshot after the crash")
	}
	want, ok := versions[m.Version]
	if !ok {
		t.Fatalf("current version %d is neither snapshot", m.Version)
	}
	for i := 0; i < len(want); i += max(1, len(want)/2000) {
		got, found, err := s.Lookup(want[i].Subject)
		if err != nil || !found || got != want[i] {
			t.Fatalf("version %d: entry %d = %+v %v %v, want %+v", m.Version, i, got, found, err, want[i])
		}
	}
	for v, other := range versions {
		if v == m.Version {
			continue
		}
		for i := 0; i < len(other); i += max(1, len(other)/500) {
			e := other[i]
			if slices.ContainsFunc(want, func(w wire.Entry) bool { return w.Subject == e.Subject }) {
				continue
			}
			if _, found, _ := s.Lookup(e.Subject); found {
				t.Fatalf("version %d is current but holds an entry only version %d has: a mix", m.Version, v)
			}
		}
	}
	var gens int
	s.db.View(func(tx *txT) error {
		return tx.ForEach(func(name []byte, _ *bucketT) error {
			if isGeneration(name) {
				gens++
			}
			return nil
		})
	})
	if gens != 1 {
		t.Fatalf("%d generations after reopen, want 1", gens)
	}
	return m.Version
}

func prepareBase(t *testing.T, dir string, base []wire.Entry) {
	t.Helper()
	s, err := Open(filepath.Join(dir, "k.db"), Options{NoSync: true, blockEntries: crashBlock})
	if err != nil {
		t.Fatal(err)
	}
	if err := importBytes(s, fullFile(t, 1, slices.Values(base))); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestCrashDuringFullImport(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	base := slices.Collect(sortedEntries(20_000, 1))
	next := slices.Collect(sortedEntries(300_000, 2))
	for _, killAt := range []string{"start", "progress 1", "progress 2", "progress 4", "done"} {
		t.Run(killAt, func(t *testing.T) {
			dir := t.TempDir()
			prepareBase(t, dir, base)
			if err := os.WriteFile(filepath.Join(dir, "full.snap"), fullFile(t, 2, slices.Values(next)), 0o600); err != nil {
				t.Fatal(err)
			}
			runAndKill(t, dir, "full", killAt)
			v := verifyOneOf(t, dir, map[uint64][]wire.Entry{1: base, 2: next})
			if killAt == "done" && v != 2 {
				t.Fatalf("import reported done but version %d is current", v)
			}
			if killAt == "start" && v != 1 {
				t.Fatalf("killed before any write but version %d is current", v)
			}
		})
	}
}

func TestCrashDuringDelta(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	base := slices.Collect(sortedEntries(200_000, 3))
	next := mutate(base, 0.05, 4)
	changes := slices.Collect(wire.Diff(slices.Values(base), slices.Values(next)))
	for _, killAt := range []string{"start", "progress 1", "progress 2", "done"} {
		t.Run(killAt, func(t *testing.T) {
			dir := t.TempDir()
			prepareBase(t, dir, base)
			if err := os.WriteFile(filepath.Join(dir, "delta.snap"), deltaFile(t, 1, 2, changes, len(next)), 0o600); err != nil {
				t.Fatal(err)
			}
			runAndKill(t, dir, "delta", killAt)
			v := verifyOneOf(t, dir, map[uint64][]wire.Entry{1: base, 2: next})
			if killAt == "done" && v != 2 {
				t.Fatalf("delta reported done but version %d is current", v)
			}
		})
	}
}
