package stream

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/testclock"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
)

// TestStreamBacklogFromPipe: 20,000 codes come down a pipe while the
// checker stalls now and then for longer than the idle limit (a slow
// fsync). Every code comes out whole and in order: a stall is time the
// reader was held up, not a line left idle.
func TestStreamBacklogFromPipe(t *testing.T) {
	const n, stalls = 20000, 4
	// The default idle limit, 200 ms; each stall is longer. Real time,
	// because a stall is time passing while bytes wait in the pipe.
	const stall = 300 * time.Millisecond
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("9001%08d", i)
	}
	go func() {
		bw := bufio.NewWriter(w)
		for _, s := range want {
			bw.WriteString(s + "\n")
		}
		bw.Flush()
		w.Close()
	}()
	scans := make(chan scanner.Scan) // unbuffered: the checker is the only slack
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- New("stdin", r, frame.Options{Terminator: frame.LF}).Run(ctx, scans, nil) }()
	var got []string
	timeout := time.After(30 * time.Second)
	for running := true; running; {
		select {
		case s := <-scans:
			got = append(got, s.Payload)
			if len(got)%(n/stalls) == 1 {
				<-time.After(stall) // the checker is held up; the pipe fills behind it
			}
		case err := <-done: // the stream ended and every scan was taken
			if err != nil {
				t.Fatal(err)
			}
			running = false
		case <-timeout:
			t.Fatalf("%d scans after 30 s", len(got))
		}
	}
	if len(got) != n {
		t.Errorf("%d scans for %d codes", len(got), n)
	}
	for i := range min(len(got), n) {
		if got[i] != want[i] {
			t.Fatalf("scan %d = %q, want %q: a stall split a code", i, got[i], want[i])
		}
	}
}

// scriptReader hands out the reads the test sends on reads, then
// io.EOF once reads is closed; every call to Read is announced on calls
// first.
type scriptReader struct {
	reads chan string
	calls chan int
	n     int
}

func newScriptReader(reads ...string) *scriptReader {
	r := &scriptReader{reads: make(chan string, len(reads)+8), calls: make(chan int, 16)}
	for _, s := range reads {
		r.reads <- s
	}
	return r
}

func (r *scriptReader) Read(p []byte) (int, error) {
	r.n++
	r.calls <- r.n
	s, ok := <-r.reads
	if !ok {
		return 0, io.EOF
	}
	return copy(p, s), nil
}

// waitCall waits until the reader has called Read for the n-th time.
func (r *scriptReader) waitCall(t *testing.T, n int) {
	t.Helper()
	for {
		select {
		case c := <-r.calls:
			if c >= n {
				return
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the reader never got to read %d: it waits for the checker", n)
		}
	}
}

// TestStreamReadAheadWhileBehind: the rest of a half-read code arrives
// while the checker is held up for a second. The reader reads on, and
// the framer — however late it gets to the bytes — sees they came right
// behind the others: the code comes out whole.
func TestStreamReadAheadWhileBehind(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	r := newScriptReader("A\nB\nC\nPAR", "TIAL\n")
	close(r.reads)
	src := New("stdin", r, frame.Options{Terminator: frame.LF})
	src.now = clock.Now
	scans := make(chan scanner.Scan)
	done := make(chan error, 1)
	go func() { done <- src.Run(context.Background(), scans, nil); close(scans) }()
	// The reader gets to its third read (EOF): "TIAL" has been read,
	// though the checker has taken nothing yet.
	r.waitCall(t, 3)
	clock.Add(time.Second) // then checking A takes a second
	var got []string
	for s := range scans {
		got = append(got, s.Payload)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "A|B|C|PARTIAL" {
		t.Fatalf("got %q, want A B C PARTIAL", got)
	}
}

// TestStreamIdleFlush: a code with no terminator on a stream that stays
// open is still ended once the line has been quiet for the idle limit.
// TestStreamPauseThenSlowTail: the reader has to stop reading (the
// read-ahead is full: the checker is a second behind) holding half a
// code; once it reads again the rest is slow to come, 150 ms, within the
// idle limit. The second of waiting must not count as silence: the code
// comes out whole. A code with no terminator is still ended by a quiet
// line afterwards.
func TestStreamPauseThenSlowTail(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	r := newScriptReader("A\nB\nC\n", "D\n", "PAR")
	src := New("stdin", r, frame.Options{Terminator: frame.LF})
	src.now, src.ahead = clock.Now, 1
	scans := make(chan scanner.Scan)
	done := make(chan error, 1)
	go func() { done <- src.Run(context.Background(), scans, nil); close(scans) }()
	h := func(want ...string) {
		t.Helper()
		for _, w := range want {
			select {
			case s := <-scans:
				if s.Payload != w {
					t.Fatalf("scan %q, want %q", s.Payload, w)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no scan %q within 5 s", w)
			}
		}
	}
	r.waitCall(t, 3)       // "PAR" is read; the reader cannot hand it over
	clock.Add(time.Second) // while checking A takes a second
	h("A", "B", "C", "D")
	r.waitCall(t, 4) // reading again: "PAR" was taken
	clock.Add(150 * time.Millisecond)
	r.reads <- "TIAL\n"
	h("PARTIAL")
	r.reads <- "END" // no terminator
	r.waitCall(t, 6)
	clock.Add(300 * time.Millisecond)
	h("END")
	close(r.reads)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStreamIdleFlush(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	scans := make(chan scanner.Scan)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go New("stdin", r, frame.Options{Terminator: frame.LF}).Run(ctx, scans, nil)
	w.Write([]byte("ONE\nNO-END"))
	for _, want := range []string{"ONE", "NO-END"} {
		select {
		case s := <-scans:
			if s.Payload != want {
				t.Fatalf("%q, want %q", s.Payload, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q within 5 s", want)
		}
	}
}
