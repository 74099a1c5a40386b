package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/snapgen"
	"github.com/doorcheck/doorcheck/sync/transfer"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func encodeTransfer(t *testing.T, full []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := transfer.Encode(&b, bytes.NewReader(full), int64(len(full))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// publishTransfer signs an index for version whose transfer form is xfer
// (the fake hub's publish has none).
func (h *fakeHub) publishTransfer(version uint64, full protocol.FileRef, xfer *protocol.FileRef, deltas ...protocol.FileRef) {
	h.t.Helper()
	doc, err := protocol.SignIndex(protocol.Index{PublishedAt: time.Now(), Version: version, Full: full, Deltas: deltas, Transfer: xfer}, h.keys.Hub)
	if err != nil {
		h.t.Fatal(err)
	}
	sum := sha256.Sum256(doc)
	h.mu.Lock()
	h.index, h.etag = doc, `"`+hex.EncodeToString(sum[:8])+`"`
	h.mu.Unlock()
}

func xferRef(v uint64, data []byte, records uint64) *protocol.FileRef {
	r := ref(protocol.TransferName(v), 0, v, data, records)
	return &r
}

// pathLog records the paths a client asks for.
type pathLog struct {
	mu    sync.Mutex
	paths []string
	next  http.RoundTripper
}

func (l *pathLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.paths = append(l.paths, r.URL.Path)
	l.mu.Unlock()
	return l.next.RoundTrip(r)
}

func (l *pathLog) asked(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Contains(l.paths, protocol.FileURL(name))
}

func logPaths(c *Client) *pathLog {
	l := &pathLog{next: http.DefaultTransport}
	c.http = &http.Client{Transport: l}
	return l
}

func noStaged(t *testing.T, c *Client) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(c.opt.Dir, ".download-*")); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
}

// TestCheckTransferForm: when the index offers the transfer form, the
// full snapshot arrives as full-V.dcx and never as full-V.dcsnap (the hub
// here has no .dcsnap at all); a transfer download cut midway resumes with
// Range on the next check; nothing staged is left.
func TestCheckTransferForm(t *testing.T) {
	vs := makeVersions(t, 2)
	h := newFakeHub(t)
	st := openStore(t, h)
	c := newTestClient(t, h, st, &sleeps{}, nil)
	log := logPaths(c)
	ctx := context.Background()

	x1 := encodeTransfer(t, vs.full[0])
	h.put(protocol.TransferName(1), x1)
	h.publishTransfer(1, vs.fullRef(1), xferRef(1, x1, vs.counts[0]))
	res, err := c.Check(ctx, 1, nil)
	if err != nil || res.Plan != protocol.PlanFull || res.FellBack || current(t, st) != 1 {
		t.Fatalf("first check: %+v %v, at %d", res, err, current(t, st))
	}
	if log.asked(protocol.FullName(1)) || !log.asked(protocol.TransferName(1)) {
		t.Fatalf("asked %v, want the transfer form only", log.paths)
	}
	if len(x1) >= len(vs.full[0]) {
		t.Errorf("transfer form %d bytes, full file %d", len(x1), len(vs.full[0]))
	}
	noStaged(t, c)

	// Version 2 as a full snapshot only (no delta): cut once, resumed.
	x2 := encodeTransfer(t, vs.full[1])
	h.put(protocol.TransferName(2), x2)
	h.cutOnce[protocol.TransferName(2)] = len(x2) / 2
	h.publishTransfer(2, vs.fullRef(2), xferRef(2, x2, vs.counts[1]))
	if _, err := c.Check(ctx, 1, nil); err == nil || current(t, st) != 1 {
		t.Fatalf("cut transfer: %v at %d", err, current(t, st))
	}
	res, err = c.Check(ctx, 1, nil)
	if err != nil || res.FellBack || current(t, st) != 2 {
		t.Fatalf("resumed transfer: %+v %v at %d", res, err, current(t, st))
	}
	if want := "bytes=" + strconv.Itoa(len(x2)/2) + "-"; len(h.ranges) != 1 || h.ranges[0] != want {
		t.Errorf("ranges asked: %v, want [%s]", h.ranges, want)
	}
	if log.asked(protocol.FullName(2)) {
		t.Error("the full file was downloaded beside the transfer form")
	}
	noStaged(t, c)
}

// TestCheckTransferRefusals: a damaged, cut, wrong or oversized transfer
// form is refused before anything is imported. With no full file to fall
// back on, the old snapshot stays current; with one, the kiosk takes it.
// A transfer form whose decoded bytes are the full file is not followed by
// the full file when the full file itself is bad (it would be the same
// bytes).
func TestCheckTransferRefusals(t *testing.T) {
	vs := makeVersions(t, 2)
	x2 := encodeTransfer(t, vs.full[1])
	flip := func(b []byte, at int) []byte { c := bytes.Clone(b); c[at] ^= 0x10; return c }
	var bigger bytes.Buffer
	if err := snapgen.Generate(snapgen.Options{Subjects: 600, Seed: 7, Version: 2}).WriteFull(&bigger); err != nil {
		t.Fatal(err)
	}
	badSig := flip(vs.full[1], len(wire.Magic)+10) // inside the signed manifest
	cases := []struct {
		name     string
		setup    func(h *fakeHub)
		want     uint64
		ok       bool
		fellBack bool
		askFull  bool // whether the full file may be asked for
	}{
		{"damaged transfer, index hash of the original", func(h *fakeHub) {
			h.put(protocol.TransferName(2), flip(x2, len(x2)/2))
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, x2, vs.counts[1]))
		}, 1, false, true, true},
		{"damaged transfer, index hash of the damaged bytes", func(h *fakeHub) {
			bad := flip(x2, len(x2)/2)
			h.put(protocol.TransferName(2), bad)
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, bad, vs.counts[1]))
		}, 1, false, true, true},
		{"damaged end-time column, index hash of the damaged bytes", func(h *fakeHub) {
			bad := flip(x2, len(x2)-3)
			h.put(protocol.TransferName(2), bad)
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, bad, vs.counts[1]))
		}, 1, false, true, true},
		{"cut transfer, index hash of the cut bytes", func(h *fakeHub) {
			bad := x2[:len(x2)*2/3]
			h.put(protocol.TransferName(2), bad)
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, bad, vs.counts[1]))
		}, 1, false, true, true},
		{"transfer form of another file", func(h *fakeHub) {
			other := encodeTransfer(t, vs.full[0])
			h.put(protocol.TransferName(2), other)
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, other, vs.counts[1]))
		}, 1, false, true, true},
		{"transfer form decoding past the full file's size", func(h *fakeHub) {
			big := encodeTransfer(t, bigger.Bytes())
			h.put(protocol.TransferName(2), big)
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, big, vs.counts[1]))
		}, 1, false, true, true},
		{"damaged transfer falls back to the full file", func(h *fakeHub) {
			h.put(protocol.TransferName(2), flip(x2, len(x2)/2))
			h.put(protocol.FullName(2), vs.full[1])
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, x2, vs.counts[1]))
		}, 2, true, true, true},
		{"a mirror without the transfer form: the full file", func(h *fakeHub) {
			h.put(protocol.FullName(2), vs.full[1])
			h.publishTransfer(2, vs.fullRef(2), xferRef(2, x2, vs.counts[1]))
		}, 2, true, true, true},
		{"transfer decodes to the full file, whose signature is bad", func(h *fakeHub) {
			h.put(protocol.TransferName(2), encodeTransfer(t, badSig))
			h.put(protocol.FullName(2), badSig)
			h.publishTransfer(2, ref(protocol.FullName(2), 0, 2, badSig, vs.counts[1]), xferRef(2, encodeTransfer(t, badSig), vs.counts[1]))
		}, 1, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHub(t)
			st := openStore(t, h)
			c := newTestClient(t, h, st, &sleeps{}, nil)
			log := logPaths(c)
			h.serveVersion(vs, 1)
			if _, err := c.Check(context.Background(), 1, nil); err != nil {
				t.Fatal(err)
			}
			tc.setup(h)
			res, err := c.Check(context.Background(), 1, nil)
			if (err == nil) != tc.ok || current(t, st) != tc.want || res.FellBack != tc.fellBack {
				t.Fatalf("check: %+v %v, at version %d, want %d (ok %v, fell back %v)", res, err, current(t, st), tc.want, tc.ok, tc.fellBack)
			}
			t.Logf("last error: %s", c.SyncState().LastError)
			if !log.asked(protocol.TransferName(2)) {
				t.Error("the transfer form was never asked for")
			}
			if !tc.askFull && log.asked(protocol.FullName(2)) {
				t.Error("the full file was fetched after its verified transfer form")
			}
			if !tc.ok && !strings.Contains(c.SyncState().LastError, "refused") && !strings.Contains(c.SyncState().LastError, "signature") {
				t.Errorf("refusal not surfaced: %q", c.SyncState().LastError)
			}
			noStaged(t, c)
		})
	}
}

// TestDeltaFallbackTakesTransfer: a delta that fails falls back to the
// full snapshot through its transfer form.
func TestDeltaFallbackTakesTransfer(t *testing.T) {
	vs := makeVersions(t, 3)
	h := newFakeHub(t)
	st := openStore(t, h)
	c := newTestClient(t, h, st, &sleeps{}, nil)
	log := logPaths(c)
	h.serveVersion(vs, 1)
	if _, err := c.Check(context.Background(), 1, nil); err != nil {
		t.Fatal(err)
	}
	x3 := encodeTransfer(t, vs.full[2])
	h.put(protocol.DeltaName(1, 3), vs.delta[2]) // really 2→3: wrong base
	h.put(protocol.TransferName(3), x3)
	h.publishTransfer(3, vs.fullRef(3), xferRef(3, x3, vs.counts[2]), ref(protocol.DeltaName(1, 3), 1, 3, vs.delta[2], 1))
	res, err := c.Check(context.Background(), 1, nil)
	if err != nil || !res.FellBack || res.Plan != protocol.PlanFull || current(t, st) != 3 {
		t.Fatalf("check: %+v %v at %d", res, err, current(t, st))
	}
	if log.asked(protocol.FullName(3)) {
		t.Error("the full file was fetched, not its transfer form")
	}
	noStaged(t, c)
}

// TestDecodeTransferCancelled: a decode under a cancelled context stops
// with the context's error (not a refusal, which would fall back to the
// full file).
func TestDecodeTransferCancelled(t *testing.T) {
	vs := makeVersions(t, 1)
	dir := t.TempDir()
	src := filepath.Join(dir, "x")
	if err := os.WriteFile(src, encodeTransfer(t, vs.full[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := decodeTransfer(ctx, src, filepath.Join(dir, "y"), "x", vs.fullRef(1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled decode: %v", err)
	}
	if err := decodeTransfer(context.Background(), src, filepath.Join(dir, "y"), "x", vs.fullRef(1)); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "y")); !bytes.Equal(got, vs.full[0]) {
		t.Fatal("decoded bytes differ from the full file")
	}
}
