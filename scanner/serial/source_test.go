package serial

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
	"github.com/doorcheck/doorcheck/scanner/sim"
)

// fakeScanner is a pseudo-terminal standing in for a scanner: the source
// opens the slave through the real serial code; the test writes to the
// master as the scanner's firmware would.
type fakeScanner struct {
	master, slave *os.File
}

func newFakeScanner(t *testing.T) *fakeScanner {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	return &fakeScanner{master: m, slave: s}
}

// unplug closes both ends: the kiosk's reads fail and the device node goes.
func (f *fakeScanner) unplug() {
	f.master.Close()
	f.slave.Close()
}

// link points a stable name at the fake device, atomically, as udev does.
func link(t *testing.T, name, target string) {
	t.Helper()
	tmp := name + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		t.Fatal(err)
	}
}

type harness struct {
	t      *testing.T
	scans  chan scanner.Scan
	events chan scanner.Event
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, scans: make(chan scanner.Scan, 64), events: make(chan scanner.Event, 64), cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- src.Run(ctx, h.scans, h.events) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
			t.Error("source did not stop within 5 s of cancel")
		}
	})
	return h
}

func (h *harness) waitEvent(kind scanner.EventKind) scanner.Event {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.Kind == kind {
				return e
			}
		case <-deadline:
			h.t.Fatalf("no event of kind %d within 5 s", kind)
		}
	}
}

func (h *harness) waitScans(n int) []scanner.Scan {
	h.t.Helper()
	var got []scanner.Scan
	deadline := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case s := <-h.scans:
			got = append(got, s)
		case <-deadline:
			h.t.Fatalf("got %d scans within 5 s, want %d: %q", len(got), n, got)
		}
	}
	return got
}

func (h *harness) expectNoScan(d time.Duration) {
	h.t.Helper()
	select {
	case s := <-h.scans:
		h.t.Fatalf("unexpected scan %q", s.Payload)
	case <-time.After(d):
	}
}

const passLike = "DC1:%60.ZENDJRVLRVLRVLRVLRVLRVLRVL6ULU$AF20U$AY20-Q4*30UU554O1$DQZPVK9A*9+*P/-A85A4LOU$CF5IZY48NLYH0DF8*3BZPJ3 3543H2NGT5Y22LP5F6V10DOMSVP4UTPMFWWOIB0"

func TestSerialPacedPayloads(t *testing.T) {
	for _, baud := range []int{9600, 115200} {
		t.Run(fmt.Sprintf("%d baud", baud), func(t *testing.T) {
			f := newFakeScanner(t)
			defer f.unplug()
			h := start(t, Config{Path: f.slave.Name(), Baud: baud})
			h.waitEvent(scanner.Connected)
			payloads := []string{"900101400003", passLike, "900101400003"} // the same code twice
			if err := sim.Write(context.Background(), f.master, payloads, sim.Options{Baud: baud, Terminator: frame.CR, Gap: 5 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			got := h.waitScans(3)
			for i, s := range got {
				if s.Payload != payloads[i] || !strings.HasPrefix(s.Source, "serial:") {
					t.Fatalf("scan %d = %q from %s", i, s.Payload, s.Source)
				}
			}
			if !got[2].At.After(got[0].At) {
				t.Fatal("the same code twice must arrive as two scans with distinct times")
			}
		})
	}
}

func TestSerialNoiseOverlongAndIdleGap(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Baud: 115200, Framing: frame.Options{Terminator: frame.CR, Max: 64}})
	h.waitEvent(scanner.Connected)
	w := func(s string) {
		if _, err := f.master.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	w(strings.Repeat("X", 300) + "\r") // overlong: dropped, then resync
	if e := h.waitEvent(scanner.Dropped); !strings.Contains(e.Detail, "limit") {
		t.Fatalf("drop event %q", e.Detail)
	}
	w("\x00\x1b[2J90010140")
	w("0003\r") // split read
	got := h.waitScans(1)
	if got[0].Payload != "\x00\x1b[2J900101400003" {
		t.Fatalf("noise must reach the checker intact (it is rejected there): %q", got[0].Payload)
	}
	w("900101400003") // no terminator: flushed after the idle limit
	if s := h.waitScans(1); s[0].Payload != "900101400003" {
		t.Fatalf("idle flush: %q", s[0].Payload)
	}
}

func TestSerialTerminatorNone(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Framing: frame.Options{Terminator: frame.None, Gap: 30 * time.Millisecond}})
	h.waitEvent(scanner.Connected)
	sim.Write(context.Background(), f.master, []string{"AAA", "BBB"}, sim.Options{Baud: 115200, Terminator: frame.None, Gap: 80 * time.Millisecond})
	got := h.waitScans(2)
	if got[0].Payload != "AAA" || got[1].Payload != "BBB" {
		t.Fatalf("%q", got)
	}
}

func TestSerialHotPlug(t *testing.T) {
	dir := t.TempDir()
	byID := filepath.Join(dir, "usb-Test_Scanner-if00")
	first := newFakeScanner(t)
	link(t, byID, first.slave.Name())

	h := start(t, Config{Path: byID, ReopenMin: 10 * time.Millisecond, ReopenMax: 50 * time.Millisecond})
	h.waitEvent(scanner.Connected)
	sim.Write(context.Background(), first.master, []string{"ONE"}, sim.Options{Terminator: frame.CR, Gap: time.Millisecond})
	h.waitScans(1)

	first.unplug()
	if e := h.waitEvent(scanner.Disconnected); !strings.Contains(e.Detail, "disconnected") {
		t.Fatalf("event %q", e.Detail)
	}
	h.expectNoScan(100 * time.Millisecond) // retrying a missing device neither crashes nor invents scans

	second := newFakeScanner(t) // comes back under another pts number
	defer second.unplug()
	link(t, byID, second.slave.Name())
	h.waitEvent(scanner.Connected)
	sim.Write(context.Background(), second.master, []string{"TWO"}, sim.Options{Terminator: frame.CR, Gap: time.Millisecond})
	if got := h.waitScans(1); got[0].Payload != "TWO" {
		t.Fatalf("after replug: %q", got[0].Payload)
	}
}

func TestSerialMissingAtStart(t *testing.T) {
	byID := filepath.Join(t.TempDir(), "not-yet")
	h := start(t, Config{Path: byID, ReopenMin: 10 * time.Millisecond, ReopenMax: 20 * time.Millisecond})
	h.waitEvent(scanner.Disconnected)
	f := newFakeScanner(t)
	defer f.unplug()
	link(t, byID, f.slave.Name())
	h.waitEvent(scanner.Connected)
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{}, {Path: "/dev/x", Parity: "odd-ish"}, {Path: "/dev/x", StopBits: "3"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
