package serial

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bugst "go.bug.st/serial"

	"github.com/doorcheck/doorcheck/internal/testclock"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
)

// clockedPort is a scripted port on a fake clock: a read with a wait
// first lets that much time pass on the line (with no data and no error
// it is a read that timed out).
type clockedPort struct {
	scriptedPort
	clock *testclock.Clock
	waits []time.Duration
}

func (p *clockedPort) Read(b []byte) (int, error) {
	if len(p.waits) > 0 {
		p.clock.Add(p.waits[0])
		p.waits = p.waits[1:]
	}
	return p.scriptedPort.Read(b)
}

// TestSerialBacklogNeverSplits: a read brings four codes and half of a
// fifth; checking falls behind (the test takes nothing) and the reader
// has to wait, for a second. The rest of the code was in
// the kernel's buffer all along, so it must come out whole. Then a code
// the scanner sent no terminator for is still ended by a real idle gap.
// The queue is one scan long, so the reader is certain to wait on it.
func TestSerialBacklogNeverSplits(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttyACM0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := New(Config{Path: dev, ReopenMin: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	clock := testclock.New(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	src.now = clock.Now
	src.queue = 1
	held := make(chan struct{})
	src.queueFull = sync.OnceFunc(func() { close(held) })
	src.open = func(string, *bugst.Mode) (bugst.Port, error) {
		return &clockedPort{
			scriptedPort: scriptedPort{reads: []scriptedRead{{data: "A\rC\rD\rE\rBB"}, {data: "B"}, {}, {data: "OK\r"}}, closed: make(chan struct{})},
			clock:        clock,
			waits:        []time.Duration{0, 0, 300 * time.Millisecond}, // then the line is quiet: no terminator came
		}, nil
	}
	scans, events := make(chan scanner.Scan), make(chan scanner.Event, 8)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Run(ctx, scans, events)
	<-held                 // the reader waits for the checker
	clock.Add(time.Second) // for a second: a slow fsync
	h := &harness{t: t, scans: scans, events: events}
	var p []string
	for _, s := range h.waitScans(6) {
		p = append(p, s.Payload)
	}
	if strings.Join(p, "|") != "A|C|D|E|BBB|OK" {
		t.Fatalf("got %q, want A C D E BBB OK: a backlog split a code", p)
	}
}

// TestSerialBacklogSlowChecker: 400 IINs arrive in one write while each
// check takes 10 ms (an fdatasync on an SD card). Every IIN comes out
// whole, in order: none is cut in two by the time checking fell behind.
func TestSerialBacklogSlowChecker(t *testing.T) {
	const n, perCheck = 400, 10 * time.Millisecond
	f := newFakeScanner(t)
	defer f.unplug()
	src, err := New(Config{Path: f.slave.Name(), Framing: frame.Options{Terminator: frame.CR}}) // the default 200 ms idle limit
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scans, events := make(chan scanner.Scan), make(chan scanner.Event, 8)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, scans, events) }()
	h := &harness{t: t, scans: scans, events: events}
	h.waitEvent(scanner.Connected)
	var all strings.Builder
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("9001%08d", i)
		all.WriteString(want[i] + "\r")
	}
	wrote := make(chan error, 1)
	go func() { _, err := f.master.Write([]byte(all.String())); wrote <- err }()
	deadline := time.After(n*perCheck + 20*time.Second)
	for i := 0; i < n; i++ {
		select {
		case s := <-scans:
			if s.Payload != want[i] {
				t.Fatalf("scan %d = %q, want %q: the backlog split a code", i, s.Payload, want[i])
			}
			time.Sleep(perCheck) // the checker's fsync
		case <-deadline:
			t.Fatalf("%d scans of %d", i, n)
		}
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-scans:
		t.Fatalf("extra scan %q", s.Payload)
	case <-time.After(300 * time.Millisecond): // past the idle limit: any fragment would be out
	}
}

// TestUnplugWhileBehind: the scanner is unplugged while checking is far
// behind. The loss is reported at once — the reader does not wait for
// the checker — every code read before it is still checked, in order,
// and the replugged scanner is read again.
func TestUnplugWhileBehind(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttyACM0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := New(Config{Path: dev, ReopenMin: time.Millisecond, ReopenMax: time.Millisecond, Framing: frame.Options{Gap: slowGap}})
	if err != nil {
		t.Fatal(err)
	}
	var burst strings.Builder
	for i := range 40 {
		fmt.Fprintf(&burst, "C%02d\r", i)
	}
	burst.WriteString("HALF")
	eio := errors.New("input/output error")
	opened := 0
	src.open = func(string, *bugst.Mode) (bugst.Port, error) {
		opened++
		if opened == 1 {
			return &scriptedPort{reads: []scriptedRead{{data: burst.String()}, {err: eio}}, closed: make(chan struct{})}, nil
		}
		return &scriptedPort{reads: []scriptedRead{{data: "AFTER\r"}}, closed: make(chan struct{})}, nil
	}
	scans, events := make(chan scanner.Scan), make(chan scanner.Event, 8)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Run(ctx, scans, events)
	h := &harness{t: t, scans: scans, events: events}
	if e := h.waitEvent(scanner.Disconnected); !strings.Contains(e.Detail, "input/output error") {
		t.Fatalf("event %q", e.Detail)
	}
	got := h.waitScans(42)
	for i := range 40 {
		if got[i].Payload != fmt.Sprintf("C%02d", i) {
			t.Fatalf("scan %d = %q", i, got[i].Payload)
		}
	}
	if got[40].Payload != "HALF" || got[41].Payload != "AFTER" {
		t.Fatalf("after the backlog: %q %q", got[40].Payload, got[41].Payload)
	}
}
