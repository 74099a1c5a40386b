package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/sync/pass"
)

// backlogStall is how long the slow checker stalls now and then: longer
// than the framer's idle limit (200 ms), as an SD card's fdatasync can.
const backlogStall = 300 * time.Millisecond

// stallingOut is a headless kiosk's stdout on which every every-th
// verdict line takes backlogStall to write, so the check loop — which
// writes each verdict before taking the next scan — falls behind the
// scanner, as it does behind a slow fsync. It keeps what was written.
type stallingOut struct {
	every int
	want  int           // full is closed once this many lines are written
	full  chan struct{} // nil: nobody waits
	mu    sync.Mutex
	lines int
	b     bytes.Buffer
}

func (s *stallingOut) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.lines += bytes.Count(p, []byte("\n"))
	stall := s.every > 0 && s.lines%s.every == 1
	n, err := s.b.Write(p)
	if s.full != nil && s.lines >= s.want && s.lines-bytes.Count(p, []byte("\n")) < s.want {
		close(s.full)
	}
	s.mu.Unlock()
	if stall {
		time.Sleep(backlogStall)
	}
	return n, err
}

func (s *stallingOut) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// distinctIINs returns n different valid IINs. The demo lists none of
// them, so each is a first entry (blue), recorded — an fsync per visit,
// never a debounced repeat.
func distinctIINs(t *testing.T, n int) []string {
	t.Helper()
	dates := []string{"850315", "921102", "780621", "660101", "990723", "010412", "770707", "880808", "550505", "440404"}
	var out []string
	for i := 0; len(out) < n; i++ {
		if i >= len(dates)*10000 {
			t.Fatalf("only %d distinct IINs", len(out))
		}
		if iin, ok := pass.MakeIIN(fmt.Sprintf("%s3%04d", dates[i/10000], i%10000)); ok {
			out = append(out, iin)
		}
	}
	return out
}

// backlogN is how many IINs the backlog tests feed: DOORCHECK_BACKLOG_N
// (e.g. 20000, as in the report of issue 6) or a short default for CI.
func backlogN(t *testing.T, short int) int {
	if v := os.Getenv("DOORCHECK_BACKLOG_N"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("DOORCHECK_BACKLOG_N=%q", v)
		}
		return n
	}
	return short
}

// checkVerdicts demands exactly one verdict line per IIN, each a
// recorded visit (admitted, or denied once the venue is full): a split
// IIN would show as two NOT VERIFIED fragments.
func checkVerdicts(t *testing.T, out string, n int) {
	t.Helper()
	vs := parseLines(t, out)
	notVerified, other := 0, 0
	for _, v := range vs {
		switch {
		case v.Verdict == "not_verified":
			notVerified++
		case !v.Recorded || v.Repeat:
			other++
		}
	}
	if len(vs) != n || notVerified != 0 || other != 0 {
		t.Fatalf("%d IINs gave %d verdicts, %d of them NOT VERIFIED, %d not recorded: a backlog split codes", n, len(vs), notVerified, other)
	}
}

// TestRunHeadlessStdinBacklog: `doorcheck run --demo --no-tui` fed IINs
// down a pipe while the check loop stalls now and then gives exactly one
// verdict per IIN, none NOT VERIFIED (issue 6: 20,000 IINs gave 20,004).
func TestRunHeadlessStdinBacklog(t *testing.T) {
	n := backlogN(t, 1000)
	iins := distinctIINs(t, n)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		bw := bufio.NewWriter(w)
		for _, s := range iins {
			bw.WriteString(s + "\n")
		}
		bw.Flush()
		w.Close()
	}()
	vars := demoEnv(t)
	out := &stallingOut{every: max(n/5, 1)}
	errb := &syncBuffer{}
	e := &env{stdin: r, stdout: out, stderr: errb, getenv: func(k string) string { return vars[k] }}
	if code := Main(context.Background(), e, []string{"run", "--demo", "--no-tui"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	checkVerdicts(t, out.String(), n)
}

// TestRunHeadlessSerialBacklog: the same through a serial scanner on a
// pty, all IINs in one write (issue 6: 400 IINs gave 409 verdicts).
func TestRunHeadlessSerialBacklog(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skip(err)
	}
	defer m.Close()
	defer s.Close()
	n := backlogN(t, 400)
	vars := demoEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &stallingOut{every: max(n/4, 1), want: n, full: make(chan struct{})}
	errb := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errb, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, e, []string{"run", "--demo", "--no-tui", "--serial", s.Name()}) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "event=connected") { // raw mode before the scanner sends
		if time.Now().After(deadline) {
			t.Fatalf("kiosk never connected: %s", errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	var all strings.Builder
	for _, iin := range distinctIINs(t, n) {
		all.WriteString(iin + "\r")
	}
	go m.Write([]byte(all.String()))
	select {
	case <-out.full:
	case <-time.After(60 * time.Second):
		t.Fatalf("%d verdicts of %d after 60 s", strings.Count(out.String(), "\n"), n)
	}
	time.Sleep(300 * time.Millisecond) // past the idle limit: a fragment left pending would be out by now
	cancel()
	if c := <-done; c != exitOK {
		t.Fatalf("exit %d: %s", c, errb.String())
	}
	checkVerdicts(t, out.String(), n)
}
