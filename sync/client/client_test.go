package client

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/snapgen"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// snapshots makes versions 1..n of a small snapshot, each file's bytes
// and the delta from the one before.
type versions struct {
	full   [][]byte // index v-1
	delta  [][]byte // index v-1: delta v-1 → v (nil for v = 1)
	counts []uint64
}

func makeVersions(t *testing.T, n int) versions {
	t.Helper()
	var vs versions
	s := snapgen.Generate(snapgen.Options{Subjects: 300, Seed: 7})
	for v := 1; v <= n; v++ {
		if v > 1 {
			next, ch := s.Delta(5, int64(v))
			var d bytes.Buffer
			if err := next.WriteDelta(&d, s.Manifest.Version, ch); err != nil {
				t.Fatal(err)
			}
			vs.delta = append(vs.delta, d.Bytes())
			s = next
		} else {
			vs.delta = append(vs.delta, nil)
		}
		var f bytes.Buffer
		if err := s.WriteFull(&f); err != nil {
			t.Fatal(err)
		}
		vs.full = append(vs.full, f.Bytes())
		vs.counts = append(vs.counts, uint64(len(s.Entries)))
	}
	return vs
}

func (vs versions) fullRef(v uint64) protocol.FileRef {
	return ref(protocol.FullName(v), 0, v, vs.full[v-1], vs.counts[v-1])
}

func (vs versions) deltaRef(v uint64) protocol.FileRef {
	return ref(protocol.DeltaName(v-1, v), v-1, v, vs.delta[v-1], 1)
}

// serveVersion publishes version v with its full file and the delta chain
// from 1.
func (h *fakeHub) serveVersion(vs versions, v uint64) {
	h.put(protocol.FullName(v), vs.full[v-1])
	var chain []protocol.FileRef
	for d := v; d > 1; d-- {
		h.put(protocol.DeltaName(d-1, d), vs.delta[d-1])
		chain = append(chain, vs.deltaRef(d))
	}
	h.publish(v, vs.fullRef(v), chain...)
}

func current(t *testing.T, st *store.Store) uint64 {
	t.Helper()
	m, ok := st.Current()
	if !ok {
		return 0
	}
	return m.Version
}

// TestCheckFullDeltaUnchanged: the first check takes the full file, the
// next version arrives as a delta, and an unchanged hub costs one 304.
func TestCheckFullDeltaUnchanged(t *testing.T) {
	h := newFakeHub(t)
	vs := makeVersions(t, 3)
	st := openStore(t, h)
	var sl sleeps
	clk := &trusted{}
	c := newTestClient(t, h, st, &sl, clk)
	ctx := context.Background()

	h.serveVersion(vs, 1)
	res, err := c.Check(ctx, 1, nil)
	if err != nil || res.Plan != protocol.PlanFull || current(t, st) != 1 {
		t.Fatalf("first check: %+v %v, at %d", res, err, current(t, st))
	}
	h.serveVersion(vs, 3)
	res, err = c.Check(ctx, 1, nil)
	if err != nil || res.Plan != protocol.PlanDeltas || res.FellBack || current(t, st) != 3 {
		t.Fatalf("delta check: %+v %v, at %d", res, err, current(t, st))
	}
	res, err = c.Check(ctx, 1, nil)
	if err != nil || res.Plan != protocol.PlanCurrent || h.notMod != 1 {
		t.Fatalf("unchanged: %+v %v, 304s %d", res, err, h.notMod)
	}
	s := c.SyncState()
	if s.Connectivity != kiosk.Online || s.LastDownload.IsZero() || !s.ClockSkewKnown || s.Downloading {
		t.Errorf("state %+v", s)
	}
	if len(clk.t) == 0 {
		t.Error("hub Date never reached the trusted clock")
	}
	if left, _ := filepath.Glob(filepath.Join(c.opt.Dir, ".download-*")); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
}

// TestCheckRefusals: a tampered file, a delta on the wrong base, an older
// index and a truncated download are refused and leave the old snapshot
// current; a wrong delta falls back to the full file.
func TestCheckRefusals(t *testing.T) {
	vs := makeVersions(t, 3)
	flip := func(b []byte) []byte { c := bytes.Clone(b); c[len(c)-5] ^= 1; return c }
	cases := []struct {
		name  string
		setup func(h *fakeHub)
		want  uint64 // version after the check
		ok    bool
	}{
		{"tampered full, index hash of the original", func(h *fakeHub) {
			h.put(protocol.FullName(2), flip(vs.full[1]))
			h.publish(2, vs.fullRef(2))
		}, 1, false},
		{"tampered full, index hash of the tampered bytes", func(h *fakeHub) {
			bad := flip(vs.full[1])
			h.put(protocol.FullName(2), bad)
			h.publish(2, ref(protocol.FullName(2), 0, 2, bad, vs.counts[1]))
		}, 1, false},
		{"delta on the wrong base, full file also broken", func(h *fakeHub) {
			// delta-1-3 is really the delta 2→3; the full file is cut short.
			h.put(protocol.DeltaName(1, 3), vs.delta[2])
			h.put(protocol.FullName(3), vs.full[2][:100])
			h.publish(3, ref(protocol.FullName(3), 0, 3, vs.full[2][:100], vs.counts[2]), ref(protocol.DeltaName(1, 3), 1, 3, vs.delta[2], 1))
		}, 1, false},
		{"delta on the wrong base falls back to the full file", func(h *fakeHub) {
			h.put(protocol.DeltaName(1, 3), vs.delta[2])
			h.put(protocol.FullName(3), vs.full[2])
			h.publish(3, vs.fullRef(3), ref(protocol.DeltaName(1, 3), 1, 3, vs.delta[2], 1))
		}, 3, true},
		{"truncated download", func(h *fakeHub) {
			h.put(protocol.FullName(2), vs.full[1])
			h.cutOnce[protocol.FullName(2)] = len(vs.full[1]) / 2
			h.publish(2, vs.fullRef(2))
		}, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHub(t)
			st := openStore(t, h)
			c := newTestClient(t, h, st, &sleeps{}, nil)
			h.serveVersion(vs, 1)
			if _, err := c.Check(context.Background(), 1, nil); err != nil {
				t.Fatal(err)
			}
			tc.setup(h)
			_, err := c.Check(context.Background(), 1, nil)
			if (err == nil) != tc.ok || current(t, st) != tc.want {
				t.Fatalf("check: %v, at version %d, want %d (ok %v)", err, current(t, st), tc.want, tc.ok)
			}
			if !tc.ok && c.SyncState().LastError == "" {
				t.Error("refusal not surfaced")
			}
		})
	}
}

// TestCheckOlderIndexAndResume: an index older than the kiosk is ignored
// (no rollback); a download cut midway resumes with Range.
func TestCheckOlderIndexAndResume(t *testing.T) {
	vs := makeVersions(t, 2)
	h := newFakeHub(t)
	st := openStore(t, h)
	c := newTestClient(t, h, st, &sleeps{}, nil)
	h.serveVersion(vs, 1)
	h.put(protocol.FullName(2), vs.full[1])
	h.cutOnce[protocol.FullName(2)] = len(vs.full[1]) / 2
	h.publish(2, vs.fullRef(2))
	if _, err := c.Check(context.Background(), 1, nil); err == nil || current(t, st) != 0 {
		t.Fatalf("cut download: %v at %d", err, current(t, st))
	}
	if _, err := c.Check(context.Background(), 1, nil); err != nil || current(t, st) != 2 {
		t.Fatalf("resumed download: %v at %d", err, current(t, st))
	}
	if len(h.ranges) != 1 || h.ranges[0] != "bytes="+strconv.Itoa(len(vs.full[1])/2)+"-" {
		t.Errorf("ranges asked: %v", h.ranges)
	}
	h.publish(1, vs.fullRef(1))
	if _, err := c.Check(context.Background(), 1, nil); !errors.Is(err, ErrOlderIndex) || current(t, st) != 2 {
		t.Fatalf("older index: %v at %d", err, current(t, st))
	}
}

// TestUploadExactlyOnce: 2,500 visits through 500s, a 429 with
// Retry-After and answers lost after storing all arrive exactly once; a
// refused visit stays in the outbox and is sent once.
func TestUploadExactlyOnce(t *testing.T) {
	h := newFakeHub(t)
	st := newMemStore(2500, time.Now().Add(-time.Hour))
	h.refuse[visit.ID(st.visits[42].ID)] = true
	h.faults = []int{500, 429, 503}
	h.abortAck = 2
	var sl sleeps
	c := newTestClient(t, h, st, &sl, nil)
	res, err := c.Upload(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.visits) != 2499 || res.Refused != 1 || res.Remaining != 1 || res.New+res.Duplicate < 2499 {
		t.Fatalf("hub holds %d, result %+v", len(h.visits), res)
	}
	for id, n := range h.visits {
		if n != 1 && h.posts[id] == 1 {
			t.Fatalf("visit %s stored %d times", id, n)
		}
	}
	// Second pass: nothing new is sent, the refused visit is kept.
	refusedPosts := h.posts[visit.ID(st.visits[42].ID)]
	if _, err := c.Upload(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if n := h.posts[visit.ID(st.visits[42].ID)]; n != refusedPosts {
		t.Errorf("refused visit posted again (%d → %d)", refusedPosts, n)
	}
	if p, _ := st.PendingCount(); p != 1 || c.Refused() != 1 {
		t.Errorf("pending %d, refused %d", p, c.Refused())
	}
	var sawRetryAfter bool
	for _, d := range sl.d {
		sawRetryAfter = sawRetryAfter || d == 7*time.Second
	}
	if !sawRetryAfter || len(sl.d) != 5 {
		t.Errorf("waits %v: want 5, one of them Retry-After's 7 s", sl.d)
	}
}

// TestRevokedStopsAndKeeps: kiosk_revoked stops Run, keeps every record
// and says so.
func TestRevokedStopsAndKeeps(t *testing.T) {
	h := newFakeHub(t)
	h.revoked = true
	st := newMemStore(10, time.Now())
	c := newTestClient(t, h, st, &sleeps{}, nil)
	if err := c.Run(context.Background()); !errors.Is(err, ErrRevoked) {
		t.Fatalf("run: %v", err)
	}
	if p, _ := st.PendingCount(); p != 10 {
		t.Errorf("pending %d, want 10", p)
	}
	if s := c.SyncState(); s.Connectivity != kiosk.Revoked || s.Pending != 10 {
		t.Errorf("state %+v", s)
	}
	if _, _, err := c.Once(context.Background()); !errors.Is(err, ErrRevoked) {
		t.Errorf("once after revocation: %v", err)
	}
}

// TestOverdueAndOffline: unreachable hub → offline, and pending visits
// older than 48 h with no upload → overdue.
func TestOverdueAndOffline(t *testing.T) {
	h := newFakeHub(t)
	st := newMemStore(3, time.Now().Add(-49*time.Hour))
	c := newTestClient(t, h, st, &sleeps{}, nil)
	h.srv.Close()
	if _, err := c.Upload(context.Background(), 2); err == nil {
		t.Fatal("upload to a closed hub succeeded")
	}
	s := c.SyncState()
	if s.Connectivity != kiosk.Offline || !s.UploadOverdue || s.LastError == "" || s.Pending != 3 {
		t.Errorf("state %+v", s)
	}
}
