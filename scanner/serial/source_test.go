package serial

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	bugst "go.bug.st/serial"

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

// unplug closes the master, as a USB device vanishing does: the kiosk's
// reads of the slave fail with EIO. The test's own slave handle goes too.
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

// slowGap makes the idle limit of terminated framing 4 s, so a loaded
// test machine pausing the writer cannot split a payload; tests that are
// about idle gaps set their own.
const slowGap = time.Second

func TestSerialPacedPayloads(t *testing.T) {
	for _, baud := range []int{9600, 115200} {
		for _, term := range []frame.Terminator{frame.CR, frame.LF, frame.CRLF} {
			t.Run(fmt.Sprintf("%d baud %s", baud, term), func(t *testing.T) {
				f := newFakeScanner(t)
				defer f.unplug()
				h := start(t, Config{Path: f.slave.Name(), Baud: baud, Framing: frame.Options{Terminator: term, Gap: slowGap}})
				h.waitEvent(scanner.Connected)
				payloads := []string{"900101400003", passLike, "900101400003"} // the same code twice
				if err := sim.Write(context.Background(), f.master, payloads, sim.Options{Baud: baud, Terminator: term, Gap: 5 * time.Millisecond}); err != nil {
					t.Fatal(err)
				}
				got := h.waitScans(3)
				for i, s := range got {
					if s.Payload != payloads[i] || s.Source != "serial:"+f.slave.Name() {
						t.Fatalf("scan %d = %q from %s", i, s.Payload, s.Source)
					}
				}
				if !got[2].At.After(got[0].At) {
					t.Fatal("the same code twice must arrive as two scans with distinct times")
				}
			})
		}
	}
}

// TestSerialSameCodeInOneRead sends one code twice back to back, so both
// usually arrive in one read: still two scans, with distinct times.
func TestSerialSameCodeInOneRead(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Framing: frame.Options{Gap: slowGap}})
	h.waitEvent(scanner.Connected)
	if _, err := f.master.Write([]byte("900101400003\r900101400003\r")); err != nil {
		t.Fatal(err)
	}
	got := h.waitScans(2)
	if got[0].Payload != got[1].Payload || !got[1].At.After(got[0].At) {
		t.Fatalf("%+v", got)
	}
}

func TestSerialNoiseAndOverlong(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Baud: 115200, Framing: frame.Options{Terminator: frame.CR, Max: 64, Gap: slowGap}})
	h.waitEvent(scanner.Connected)
	w := func(s string) {
		t.Helper()
		if _, err := f.master.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	w(strings.Repeat("X", 300) + "\r") // overlong: dropped, then resync
	if e := h.waitEvent(scanner.Dropped); !strings.Contains(e.Detail, "300 bytes is over the 64-byte limit") {
		t.Fatalf("drop event %q", e.Detail)
	}
	w("\x00\x1b[2J9001\x0040") // a NUL from the adapter, then noise
	w("0003\r")                // split read
	got := h.waitScans(1)
	if got[0].Payload != "\x1b[2J9001\x00400003" {
		t.Fatalf("noise must reach the checker intact (it is rejected there): %q", got[0].Payload)
	}
	w("\r\n\r") // empty lines are no scans
	w("OK\r")
	if got := h.waitScans(1); got[0].Payload != "OK" {
		t.Fatalf("after empty lines: %q", got[0].Payload)
	}
}

func TestSerialSymbologyAllowList(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Framing: frame.Options{Symbologies: []string{"]Q1"}, Gap: slowGap}})
	h.waitEvent(scanner.Connected)
	sim.Write(context.Background(), f.master, []string{"]E04006381333931", "]Q1900101400003"}, sim.Options{Baud: 115200, Terminator: frame.CR, Gap: time.Millisecond})
	if e := h.waitEvent(scanner.Dropped); !strings.Contains(e.Detail, "]E0") {
		t.Fatalf("drop event %q", e.Detail)
	}
	if got := h.waitScans(1); got[0].Payload != "900101400003" {
		t.Fatalf("%q", got[0].Payload)
	}
}

// TestSerialMissingTerminator: a scanner set to send no terminator still
// has its code read, once the line has been idle for the limit.
func TestSerialMissingTerminator(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Framing: frame.Options{Terminator: frame.CR, Gap: 50 * time.Millisecond}})
	h.waitEvent(scanner.Connected)
	if _, err := f.master.Write([]byte("900101400003")); err != nil {
		t.Fatal(err)
	}
	if s := h.waitScans(1); s[0].Payload != "900101400003" {
		t.Fatalf("idle flush: %q", s[0].Payload)
	}
}

func TestSerialTerminatorNone(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	h := start(t, Config{Path: f.slave.Name(), Framing: frame.Options{Terminator: frame.None, Gap: 50 * time.Millisecond}})
	h.waitEvent(scanner.Connected)
	// Each code goes in one write, so only the gap between them, not a
	// pause of a loaded machine inside one, can end it.
	start := time.Now()
	sim.Write(context.Background(), f.master, []string{"AAA", "BBB"}, sim.Options{Terminator: frame.None, Gap: 300 * time.Millisecond})
	got := h.waitScans(2)
	if got[0].Payload != "AAA" || got[1].Payload != "BBB" {
		t.Fatalf("%q", got)
	}
	if d := time.Since(start); d < 300*time.Millisecond+50*time.Millisecond {
		t.Fatalf("second code delivered %v after the first was sent: before its gap ran out", d)
	}
}

func TestSerialHotPlug(t *testing.T) {
	dir := t.TempDir()
	byID := filepath.Join(dir, "usb-Test_Scanner-if00")
	first := newFakeScanner(t)
	link(t, byID, first.slave.Name())

	h := start(t, Config{Path: byID, ReopenMin: 10 * time.Millisecond, ReopenMax: 50 * time.Millisecond})
	if e := h.waitEvent(scanner.Connected); !strings.Contains(e.Detail, first.slave.Name()) {
		t.Fatalf("connected event %q does not name the device", e.Detail)
	}
	sim.Write(context.Background(), first.master, []string{"ONE"}, sim.Options{Baud: 115200, Terminator: frame.CR})
	h.waitScans(1)

	first.unplug()
	if e := h.waitEvent(scanner.Disconnected); !strings.Contains(e.Detail, "disconnected") {
		t.Fatalf("event %q", e.Detail)
	}
	h.expectNoScan(100 * time.Millisecond) // retrying a missing device neither crashes nor invents scans

	second := newFakeScanner(t) // comes back, maybe under another pts number
	defer second.unplug()
	link(t, byID, second.slave.Name())
	if e := h.waitEvent(scanner.Connected); !strings.Contains(e.Detail, second.slave.Name()) {
		t.Fatalf("reconnected event %q does not name the new device", e.Detail)
	}
	sim.Write(context.Background(), second.master, []string{"TWO"}, sim.Options{Baud: 115200, Terminator: frame.CR})
	if got := h.waitScans(1); got[0].Payload != "TWO" {
		t.Fatalf("after replug: %q", got[0].Payload)
	}
}

// scriptedPort is a port whose reads follow a script, for the cases a
// pseudo-terminal cannot stage deterministically.
type scriptedPort struct {
	bugst.Port // nil: other methods are not used
	reads      []scriptedRead
	closed     chan struct{}
}

type scriptedRead struct {
	data string
	err  error
}

func (p *scriptedPort) SetReadTimeout(time.Duration) error { return nil }

func (p *scriptedPort) Read(b []byte) (int, error) {
	if len(p.reads) == 0 {
		<-p.closed
		return 0, &bugst.PortError{}
	}
	r := p.reads[0]
	p.reads = p.reads[1:]
	return copy(b, r.data), r.err
}

func (p *scriptedPort) Close() error {
	select {
	case <-p.closed:
	default:
		close(p.closed)
	}
	return nil
}

// TestUnplugMidCode: bytes read before the device went away, with no
// terminator yet, are still delivered (the checker judges the fragment),
// then the loss is reported.
func TestUnplugMidCode(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttyACM0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := New(Config{Path: dev, ReopenMin: time.Hour, Framing: frame.Options{Gap: slowGap}})
	if err != nil {
		t.Fatal(err)
	}
	eio := errors.New("input/output error")
	src.open = func(string, *bugst.Mode) (bugst.Port, error) {
		return &scriptedPort{reads: []scriptedRead{{data: "OK\r9001"}, {data: "014"}, {err: eio}}, closed: make(chan struct{})}, nil
	}
	h := &harness{t: t, scans: make(chan scanner.Scan, 4), events: make(chan scanner.Event, 4)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Run(ctx, h.scans, h.events)
	h.waitEvent(scanner.Connected)
	if got := h.waitScans(2); got[0].Payload != "OK" || got[1].Payload != "9001014" {
		t.Fatalf("%q", got)
	}
	if e := h.waitEvent(scanner.Disconnected); !strings.Contains(e.Detail, "input/output error") {
		t.Fatalf("event %q", e.Detail)
	}
}

func TestSerialMissingAtStart(t *testing.T) {
	byID := filepath.Join(t.TempDir(), "not-yet")
	h := start(t, Config{Path: byID, ReopenMin: 10 * time.Millisecond, ReopenMax: 20 * time.Millisecond})
	if e := h.waitEvent(scanner.Disconnected); !strings.Contains(e.Detail, "not plugged in") {
		t.Fatalf("event %q", e.Detail)
	}
	f := newFakeScanner(t)
	defer f.unplug()
	link(t, byID, f.slave.Name())
	h.waitEvent(scanner.Connected)
}

// TestSerialCancelUnblocksRead: with nothing pending, a read blocks for
// up to pollEvery; cancelling must end it at once by closing the port.
func TestSerialCancelUnblocksRead(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	src, err := New(Config{Path: f.slave.Name()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan scanner.Event, 4)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, make(chan scanner.Scan), events) }()
	<-events // connected
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(pollEvery / 2):
		t.Fatal("Run did not return promptly after cancel")
	}
}

// failingOpen opens no port, failing with err.
func failingOpen(err error) func(string, *bugst.Mode) (bugst.Port, error) {
	return func(string, *bugst.Mode) (bugst.Port, error) { return nil, err }
}

func TestOpenErrorsExplained(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "ttyACM0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		err  error
		want string
	}{
		{&bugst.PortError{}, "port busy"}, // code 0 is PortBusy
		{fs.ErrPermission, "permission denied"},
		{errors.New("\x1b[2Jodd driver"), `\x1b[2Jodd driver`},
	}
	for _, tt := range tests {
		src, err := New(Config{Path: dev, ReopenMin: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		src.open = failingOpen(tt.err)
		ctx, cancel := context.WithCancel(context.Background())
		events := make(chan scanner.Event, 1)
		done := make(chan struct{})
		go func() { src.Run(ctx, nil, events); close(done) }()
		e := <-events
		cancel()
		<-done
		if e.Kind != scanner.Disconnected || !strings.Contains(e.Detail, tt.want) {
			t.Errorf("%v: event %+v, want %q", tt.err, e, tt.want)
		}
		if strings.ContainsAny(e.Detail, "\x1b") {
			t.Errorf("detail not escaped: %q", e.Detail)
		}
	}
}

// TestDisconnectedOncePerReason: a port that stays missing is reported
// once, not at every retry.
func TestDisconnectedOncePerReason(t *testing.T) {
	src, err := New(Config{Path: filepath.Join(t.TempDir(), "gone"), ReopenMin: time.Millisecond, ReopenMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	attempts := make(chan struct{}, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src.open = func(string, *bugst.Mode) (bugst.Port, error) { return nil, errors.New("unreachable") }
	src.rand = func(n int64) int64 { attempts <- struct{}{}; return 0 }
	events := make(chan scanner.Event, 100)
	done := make(chan struct{})
	go func() { src.Run(ctx, nil, events); close(done) }()
	for range 20 {
		<-attempts
	}
	cancel()
	<-done
	if len(events) != 1 {
		t.Fatalf("%d events for one unchanging reason", len(events))
	}
}

func TestBackoff(t *testing.T) {
	high := func(n int64) int64 { return n - 1 }
	low := func(n int64) int64 { return 0 }
	ms := time.Millisecond
	b := newBackoff(100*ms, 1000*ms, low)
	var got []time.Duration
	for range 6 {
		got = append(got, b.wait())
	}
	want := []time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("low jitter: %v, want %v", got, want)
	}
	b.reset()
	b.rand = high
	if d := b.wait(); d != 100*ms-1 {
		t.Fatalf("high jitter after reset: %v", d)
	}
}

func TestConfig(t *testing.T) {
	bad := []Config{
		{},
		{Path: "/dev/x", Parity: "odd-ish"},
		{Path: "/dev/x", StopBits: "3"},
		{Path: "/dev/x", DataBits: 9},
		{Path: "/dev/x", Baud: -1},
		{Path: "/dev/x", Framing: frame.Options{Symbologies: []string{"QR"}}},
	}
	if runtime.GOOS == "linux" {
		bad = append(bad, Config{Path: "/dev/x", StopBits: "1.5"})
	}
	for _, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	src, err := New(Config{Path: "/dev/x", Parity: "even", DataBits: 7, StopBits: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if src.mode.BaudRate != 9600 || src.mode.DataBits != 7 || src.mode.Parity != bugst.EvenParity || src.mode.StopBits != bugst.TwoStopBits {
		t.Fatalf("mode %+v", src.mode)
	}
	if src.cfg.ReopenMin != DefaultReopenMin || src.cfg.ReopenMax != DefaultReopenMax {
		t.Fatalf("backoff %v..%v", src.cfg.ReopenMin, src.cfg.ReopenMax)
	}
}

// TestPtyAcceptsSerialSettings documents what the tests rely on: Linux
// pseudo-terminals take any baud rate, parity and data bits through the
// same termios calls as a real port (and ignore them).
func TestPtyAcceptsSerialSettings(t *testing.T) {
	f := newFakeScanner(t)
	defer f.unplug()
	for _, m := range []bugst.Mode{{BaudRate: 9600, DataBits: 8}, {BaudRate: 115200, DataBits: 8}, {BaudRate: 9600, DataBits: 7, Parity: bugst.EvenParity, StopBits: bugst.TwoStopBits}} {
		p, err := bugst.Open(f.slave.Name(), &m)
		if err != nil {
			t.Fatalf("open pty with %+v: %v", m, err)
		}
		p.Close()
	}
}
