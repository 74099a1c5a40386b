package store

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	sv "github.com/doorcheck/doorcheck/sync/visit"
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

// TestCrashChild is the child's side. Its role comes from the environment:
// "full" or "delta" imports dir/<role>.snap, reporting each progress
// callback and each phase on stdout, and stops at the phase named by
// $DOORCHECK_CRASH_HOLD until it is killed; "record" records visits and
// prints each id after Record returns. Whatever the role, the child never
// exits on its own once its work is done: it waits for stdin to close,
// which happens when the parent kills it or dies.
func TestCrashChild(t *testing.T) {
	role := os.Getenv(crashEnv)
	if role == "" {
		t.Skip("only runs as a crash-test child")
	}
	dir := os.Getenv("DOORCHECK_CRASH_DIR")
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(1)
	}
	hold := os.Getenv("DOORCHECK_CRASH_HOLD")
	waitForKill := func() { io.Copy(io.Discard, os.Stdin) }
	// Snapshot children skip fsync: a SIGKILL loses no page-cache writes,
	// so what these tests check — which transactions committed — does not
	// depend on it, and fsync on a shared disk would make them slow. The
	// record child keeps it, as a kiosk does.
	s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true, NoSync: role != "record", blockEntries: crashBlock, phase: func(name string) {
		fmt.Println(name)
		if name == hold {
			waitForKill()
		}
	}})
	if err != nil {
		fail(err)
	}
	if role == "record" {
		recordBurst(s, fail)
		return
	}
	if role == "migrate" { // Open migrated the store
		fmt.Println("done")
		waitForKill()
		return
	}
	data, err := os.ReadFile(filepath.Join(dir, role+".snap"))
	if err != nil {
		fail(err)
	}
	r, err := wire.Open(bytes.NewReader(data), hubPub)
	if err != nil {
		fail(err)
	}
	fmt.Println("start")
	n := 0
	err = s.Import(context.Background(), r, func(Progress) {
		n++
		fmt.Println("progress", n)
	})
	if err != nil {
		fail(err)
	}
	fmt.Println("done")
	waitForKill()
}

// recordBurst records visits until killed, printing each id once Record
// has returned: a printed id is a promise that the visit is on disk.
func recordBurst(s *Store, fail func(error)) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		at = at.Add(time.Millisecond)
		id, err := NewVisitID(at, crand.Reader)
		if err != nil {
			fail(err)
		}
		v := Visit{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: "k", Venue: "v", Door: "d",
			Direction: sv.Entry, Subject: wire.SubjectKey{1, byte(i), byte(i >> 8), byte(i >> 16)},
			Kind: sv.KindIIN, Status: "green", Verdict: VerdictAdmit}
		if _, err := s.Record(context.Background(), v); err != nil {
			fail(err)
		}
		fmt.Println("recorded", id)
	}
}

// runAndKill starts the child and SIGKILLs it as soon as the lines it has
// printed satisfy kill. hold names the phase the child stops at, if any.
// It returns the lines the child printed.
func runAndKill(t *testing.T, dir, role, hold string, kill func(lines []string) bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+role, "DOORCHECK_CRASH_DIR="+dir, "DOORCHECK_CRASH_HOLD="+hold)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe() // closed after the kill; the child waits on it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A child that hangs without printing killAt is killed by the timer,
	// which ends the scan below.
	timer := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer timer.Stop()
	var lines []string
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if strings.HasPrefix(line, "error") {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %s", line)
		}
		if !killed && kill(lines) {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			// Keep reading: what the child printed before it died is
			// still in the pipe, and the checks need all of it.
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("child ended before the kill point: %q", lines)
	}
	return lines
}

// verifyOneOf reopens the store and checks that exactly one of the
// snapshots is current and whole — every entry of the current generation,
// read back in order, is that snapshot's, and nothing else — and that Open
// left no other generation behind. It returns the current version.
func verifyOneOf(t *testing.T, dir string, versions map[uint64][]wire.Entry) uint64 {
	t.Helper()
	s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true})
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
	if got := allEntries(t, s); !slices.Equal(got, want) {
		t.Fatalf("version %d is current but its generation holds %d entries, not the %d of that snapshot", m.Version, len(got), len(want))
	}
	for i := 0; i < len(want); i += max(1, len(want)/1000) {
		got, found, err := s.Lookup(want[i].Subject)
		if err != nil || !found || got != want[i] {
			t.Fatalf("version %d: entry %d = %+v %v %v, want %+v", m.Version, i, got, found, err, want[i])
		}
	}
	if gens := generations(t, s); len(gens) != 1 {
		t.Fatalf("generations after reopen: %q, want one", gens)
	}
	return m.Version
}

func prepareBase(t *testing.T, dir string, base []wire.Entry) {
	t.Helper()
	s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true, NoSync: true, blockEntries: crashBlock})
	if err != nil {
		t.Fatal(err)
	}
	if err := importBytes(s, fullFile(t, 1, slices.Values(base))); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// crashPoint is where a crash test kills its child: when it prints killAt,
// having stopped at phase hold if hold is set. want is the version that
// must be current afterwards; 0 accepts either, for kills that race the
// child's next transaction.
func lastLineIs(s string) func([]string) bool {
	return func(lines []string) bool { return lines[len(lines)-1] == s }
}

type crashPoint struct {
	killAt, hold string
	want         uint64
}

var snapshotCrashPoints = []crashPoint{
	{killAt: "start", want: 1},
	{killAt: "progress 1"},
	{killAt: "progress 2"},
	{killAt: "progress 3"},
	{killAt: "verified", hold: "verified", want: 1}, // body verified, not yet flipped
	{killAt: "flipped", hold: "flipped", want: 2},   // flipped, old generation not yet dropped
	{killAt: "done", want: 2},
}

func TestCrashDuringFullImport(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	base := slices.Collect(sortedEntries(20_000, 1))
	next := slices.Collect(sortedEntries(300_000, 2)) // 5 transactions of 64-entry blocks
	snap := fullFile(t, 2, slices.Values(next))
	for _, p := range snapshotCrashPoints {
		t.Run(p.killAt, func(t *testing.T) {
			dir := t.TempDir()
			prepareBase(t, dir, base)
			if err := os.WriteFile(filepath.Join(dir, "full.snap"), snap, 0o600); err != nil {
				t.Fatal(err)
			}
			runAndKill(t, dir, "full", p.hold, lastLineIs(p.killAt))
			v := verifyOneOf(t, dir, map[uint64][]wire.Entry{1: base, 2: next})
			if p.want != 0 && v != p.want {
				t.Fatalf("killed at %q: version %d is current, want %d", p.killAt, v, p.want)
			}
			t.Logf("killed at %q: version %d current", p.killAt, v)
		})
	}
}

func TestCrashDuringDelta(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	base := slices.Collect(sortedEntries(200_000, 3)) // 4 transactions of 64-entry blocks
	next := mutate(base, 0.05, 4)
	changes := slices.Collect(wire.Diff(slices.Values(base), slices.Values(next)))
	snap := deltaFile(t, 1, 2, changes, len(next))
	for _, p := range snapshotCrashPoints {
		t.Run(p.killAt, func(t *testing.T) {
			dir := t.TempDir()
			prepareBase(t, dir, base)
			if err := os.WriteFile(filepath.Join(dir, "delta.snap"), snap, 0o600); err != nil {
				t.Fatal(err)
			}
			runAndKill(t, dir, "delta", p.hold, lastLineIs(p.killAt))
			v := verifyOneOf(t, dir, map[uint64][]wire.Entry{1: base, 2: next})
			if p.want != 0 && v != p.want {
				t.Fatalf("killed at %q: version %d is current, want %d", p.killAt, v, p.want)
			}
			t.Logf("killed at %q: version %d current", p.killAt, v)
		})
	}
}

// TestCrashDuringRecordBurst kills a child recording visits as fast as it
// can and checks that every visit it reported recorded survived, whole:
// in the log, in the outbox, and in the day's counters.
func TestCrashDuringRecordBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-execute the binary")
	}
	for _, n := range []int{1, 25, 150} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			lines := runAndKill(t, dir, "record", "", func(lines []string) bool {
				return strings.HasPrefix(lines[len(lines)-1], "recorded") && len(lines) >= n
			})
			var printed []VisitID
			for _, l := range lines {
				if rest, ok := strings.CutPrefix(l, "recorded "); ok {
					var id VisitID
					if err := id.UnmarshalText([]byte(rest)); err != nil {
						t.Fatal(err)
					}
					printed = append(printed, id)
				}
			}
			s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, id := range printed {
				if _, ok, err := s.Visit(id); !ok || err != nil {
					t.Fatalf("visit %s was reported recorded but is gone after the kill (%v)", id, err)
				}
			}
			// The child may have committed one more visit that it did not
			// get to print; each committed visit is whole: log, outbox and
			// counters agree.
			all, err := s.Recent(len(printed) + 10)
			if err != nil {
				t.Fatal(err)
			}
			pending, _ := s.PendingCount()
			c, _ := s.Counters("2026-11-24")
			if len(all) < len(printed) || len(all) > len(printed)+1 || pending != len(all) || c.Entries != len(all) || c.Inside != len(all) {
				t.Fatalf("printed %d, stored %d visits, %d pending, counters %+v", len(printed), len(all), pending, c)
			}
		})
	}
}
