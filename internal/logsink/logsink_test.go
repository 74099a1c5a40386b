package logsink

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestFileSizeBound: thousands of records into a 16 kB bound leave the
// file and its one .1 each within the bound, after every write.
func TestFileSizeBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.log")
	const max = 16 << 10
	f, err := OpenFile(path, max)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	log := slog.New(Sanitized(slog.NewTextHandler(f, nil)))
	for i := range 5000 {
		log.Info("uploaded", "n", i, "pending", strings.Repeat("x", i%200))
		if i%97 == 0 {
			checkBound(t, path, max)
		}
	}
	checkBound(t, path, max)
	// A record longer than the bound is cut, never breaks it.
	log.Info("huge", "v", strings.Repeat("y", 400))
	f.Write([]byte(strings.Repeat("z", 3*max) + "\n"))
	checkBound(t, path, max)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 2 {
		t.Errorf("files %v, want k.log and k.log.1 only", entries)
	}
}

func checkBound(t *testing.T, path string, max int64) {
	t.Helper()
	for _, p := range []string{path, path + ".1"} {
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > max {
			t.Fatalf("%s is %d bytes, bound %d", p, st.Size(), max)
		}
	}
}

// TestFileReopenedAfterRotation: when the file fills it becomes .1 and a
// new file is opened at the path; records go on in order across the two,
// none lost, and a reopened File (a restart) appends and still rotates.
func TestFileReopenedAfterRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.log")
	const max = 4096
	f, err := OpenFile(path, max)
	if err != nil {
		t.Fatal(err)
	}
	line := func(i int) string { return fmt.Sprintf("record %04d %s\n", i, strings.Repeat("-", 80)) }
	first, _ := os.Stat(path)
	i := 0
	for ; ; i++ {
		f.Write([]byte(line(i)))
		if _, err := os.Stat(path + ".1"); err == nil {
			break
		}
	}
	now, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(first, now) {
		t.Fatal("after rotation the path is still the first file")
	}
	if rotated, _ := os.Stat(path + ".1"); !os.SameFile(first, rotated) {
		t.Fatal(".1 is not the first file")
	}
	if got := readLines(t, path); len(got) != 1 || got[0] != strings.TrimSpace(line(i)) {
		t.Fatalf("new file holds %q, want the record after rotation only", got)
	}
	old := readLines(t, path+".1")
	if len(old) != i || old[i-1] != strings.TrimSpace(line(i-1)) {
		t.Fatalf(".1 holds %d records ending %q, want %d", len(old), old[len(old)-1], i)
	}
	f.Close()
	if _, err := f.Write([]byte("late\n")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
	// A restart appends to the file it finds and keeps the bound.
	f, err = OpenFile(path, max)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for j := 0; j < 3*i; j++ {
		f.Write([]byte(line(1000 + j)))
	}
	checkBound(t, path, max)
	got := append(readLines(t, path+".1"), readLines(t, path)...)
	for k := 1; k < len(got); k++ {
		a, _ := strconv.Atoi(strings.Fields(got[k-1])[1])
		b, _ := strconv.Atoi(strings.Fields(got[k])[1])
		if b != a+1 && !(a == i && b == 1000) {
			t.Fatalf("records out of order across the rotation: %q then %q", got[k-1], got[k])
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

// TestSanitizedLeavesNoEscape: escape sequences, controls and bidi
// overrides in a message, a key, a string, an error and a group arrive
// escaped; numbers stay numbers.
func TestSanitizedLeavesNoEscape(t *testing.T) {
	var b strings.Builder
	log := slog.New(Sanitized(slog.NewJSONHandler(&b, nil)))
	hostile := "\x1b]0;owned\x07\x1b[2J\r\u202e\u009bX"
	log.With("src", hostile).WithGroup("g").Warn("scan "+hostile, "detail", hostile, "err", errors.New(hostile),
		slog.Group("inner", "v", hostile), "n", 42, "k"+hostile, 1)
	out := b.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u009b", `\u001b`} {
		if strings.Contains(out, bad) {
			t.Errorf("log line holds %q: %s", bad, out)
		}
	}
	if !strings.Contains(out, `\\x1b[2J`) || !strings.Contains(out, `"n":42`) {
		t.Errorf("escaped form or number missing: %s", out)
	}
	b.Reset()
	log.Info("long", "v", strings.Repeat("a", 5000))
	if len(b.String()) > 1000 {
		t.Errorf("one value made a %d-byte line", len(b.String()))
	}
}

// TestJournal: records reach a journald-style socket as one datagram
// each, with their priority, identifier and message, and the level holds.
func TestJournal(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "journal.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	j, err := DialJournal(sock, "doorcheck", slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	log := slog.New(Sanitized(j))
	log.Debug("hidden")
	log.With("source", "serial").Warn("scanner", "event", "disconnected")
	log.Error("two\nlines")
	buf := make([]byte, 4096)
	var got []string
	for range 2 {
		n, err := ln.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
	if !strings.Contains(got[0], "PRIORITY=4\n") || !strings.Contains(got[0], "SYSLOG_IDENTIFIER=doorcheck\n") ||
		!strings.Contains(got[0], "MESSAGE=level=WARN msg=scanner source=serial event=disconnected\n") {
		t.Errorf("warn datagram: %q", got[0])
	}
	if !strings.Contains(got[1], "PRIORITY=3\n") || !strings.Contains(got[1], `two\x0alines`) {
		t.Errorf("error datagram: %q", got[1])
	}
	if _, err := DialJournal(filepath.Join(t.TempDir(), "none"), "x", slog.LevelInfo); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("no socket: %v", err)
	}
}
