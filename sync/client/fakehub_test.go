package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/snapgen"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// fakeHub serves the protocol's snapshot and upload routes from memory,
// with faults the tests switch on.
type fakeHub struct {
	t    *testing.T
	keys snapgen.Keys
	srv  *httptest.Server

	mu       sync.Mutex
	files    map[string][]byte
	index    []byte
	etag     string
	manifest int // manifest requests
	notMod   int // of them answered 304
	ranges   []string
	cutOnce  map[string]int // file name → bytes to send before breaking the first response
	visits   map[visit.ID]int
	posts    map[visit.ID]int // times each id was posted
	faults   []int            // statuses to answer the next uploads with
	refuse   map[visit.ID]bool
	abortAck int  // uploads to store and then break before answering
	revoked  bool // every request: 403 kiosk_revoked
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{t: t, keys: snapgen.KeysFor(7), files: map[string][]byte{}, cutOnce: map[string]int{},
		visits: map[visit.ID]int{}, posts: map[visit.ID]int{}, refuse: map[visit.ID]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc(protocol.ManifestPath, h.serveManifest)
	mux.HandleFunc(protocol.FilesPath, h.serveFile)
	mux.HandleFunc(protocol.VisitsPath, h.serveVisits)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		revoked := h.revoked
		h.mu.Unlock()
		if revoked {
			writeErr(w, 403, protocol.CodeKioskRevoked, nil)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func writeErr(w http.ResponseWriter, status int, code protocol.Code, hdr map[string]string) {
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(protocol.Error{Code: code, Message: "test"})
}

func ref(name string, base, version uint64, data []byte, records uint64) protocol.FileRef {
	sum := sha256.Sum256(data)
	return protocol.FileRef{BaseVersion: base, Version: version, Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Records: records}
}

// publish signs an index for version with the given full and deltas.
func (h *fakeHub) publish(version uint64, full protocol.FileRef, deltas ...protocol.FileRef) {
	h.t.Helper()
	doc, err := protocol.SignIndex(protocol.Index{PublishedAt: time.Now(), Version: version, Full: full, Deltas: deltas}, h.keys.Hub)
	if err != nil {
		h.t.Fatal(err)
	}
	sum := sha256.Sum256(doc)
	h.mu.Lock()
	h.index, h.etag = doc, `"`+hex.EncodeToString(sum[:8])+`"`
	h.mu.Unlock()
}

func (h *fakeHub) put(name string, data []byte) {
	h.mu.Lock()
	h.files[name] = data
	h.mu.Unlock()
}

func (h *fakeHub) serveManifest(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.manifest++
	w.Header().Set("ETag", h.etag)
	if r.Header.Get("If-None-Match") == h.etag {
		h.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(h.index)
}

func (h *fakeHub) serveFile(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, protocol.FilesPath)
	h.mu.Lock()
	data, ok := h.files[name]
	cut, cutNow := h.cutOnce[name]
	delete(h.cutOnce, name)
	if rg := r.Header.Get("Range"); rg != "" {
		h.ranges = append(h.ranges, rg)
	}
	h.mu.Unlock()
	if !ok {
		writeErr(w, 404, protocol.CodeNotFound, nil)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"sha256:`+hex.EncodeToString(sum[:16])+`"`)
	if cutNow {
		// Promise the whole file, send part of it, break the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(200)
		w.Write(data[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

func (h *fakeHub) serveVisits(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if len(h.faults) > 0 {
		st := h.faults[0]
		h.faults = h.faults[1:]
		h.mu.Unlock()
		hdr := map[string]string{}
		if st == 429 || st == 503 {
			hdr["Retry-After"] = "7"
		}
		writeErr(w, st, protocol.CodeOverloaded, hdr)
		return
	}
	h.mu.Unlock()
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		writeErr(w, 400, protocol.CodeBadRequest, nil)
		return
	}
	var req protocol.UploadRequest
	if err := json.NewDecoder(zr).Decode(&req); err != nil || req.Format != visit.Format || len(req.Visits) > protocol.MaxBatchVisits {
		writeErr(w, 400, protocol.CodeBadRequest, nil)
		return
	}
	var ans protocol.UploadResponse
	h.mu.Lock()
	for _, v := range req.Visits {
		h.posts[v.ID]++
		res := protocol.UploadResult{ID: v.ID, Result: protocol.ResultNew}
		switch {
		case h.refuse[v.ID]:
			res.Result, res.Code = protocol.ResultRefused, protocol.CodeWrongDoor
		case v.Validate() != nil:
			res.Result, res.Code = protocol.ResultRefused, protocol.CodeBadVisit
		case h.visits[v.ID] > 0:
			res.Result = protocol.ResultDuplicate
			h.visits[v.ID]++
		default:
			h.visits[v.ID] = 1
		}
		ans.Results = append(ans.Results, res)
	}
	abort := h.abortAck > 0
	if abort {
		h.abortAck--
	}
	h.mu.Unlock()
	if abort {
		panic(http.ErrAbortHandler) // stored, answer lost
	}
	json.NewEncoder(w).Encode(ans)
}

// memStore is an outbox in memory (the snapshot side is unused).
type memStore struct {
	mu      sync.Mutex
	visits  []store.Visit
	acked   map[store.VisitID]bool
	version uint64
}

func newMemStore(n int, at time.Time) *memStore {
	s := &memStore{acked: map[store.VisitID]bool{}}
	for i := range n {
		var id store.VisitID
		ms := uint64(at.UnixMilli()) + uint64(i)
		for j := 0; j < 6; j++ {
			id[j] = byte(ms >> (40 - 8*j))
		}
		id[6], id[8], id[10], id[11] = 0x70, 0x80, byte(i>>8), byte(i)
		s.visits = append(s.visits, store.Visit{ID: id, At: at.Add(time.Duration(i) * time.Millisecond), Day: at.Format(time.DateOnly),
			Kiosk: "k1", Venue: "v1", Door: "d1", Direction: visit.Entry, Kind: visit.KindIIN, Status: "green", Verdict: store.VerdictAdmit,
			Subject: wire.SubjectKey{byte(i), byte(i >> 8), 1}, SnapshotVersion: 1})
	}
	return s
}

func (s *memStore) Pending(limit int) ([]store.Visit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.Visit
	for _, v := range s.visits {
		if !s.acked[v.ID] && len(out) < limit {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s *memStore) PendingCount() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.visits) - len(s.acked), nil
}

func (s *memStore) Ack(ids ...store.VisitID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.acked[id] = true
	}
	return nil
}

func (s *memStore) Current() (*wire.Manifest, bool) { return nil, false }
func (s *memStore) Import(context.Context, *wire.Reader, func(store.Progress)) error {
	panic("memStore has no snapshot")
}

// sleeps records the waits a client asked for and returns at once: tests
// move on instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

type trusted struct {
	mu sync.Mutex
	t  []time.Time
}

func (c *trusted) NoteTrustedTime(t time.Time) { c.mu.Lock(); c.t = append(c.t, t); c.mu.Unlock() }

func newTestClient(t *testing.T, h *fakeHub, st Store, sl *sleeps, clock TrustedClock) *Client {
	t.Helper()
	c, err := New(Options{URL: h.srv.URL, Credential: "k1.c2VjcmV0", HubKey: h.keys.Hub.Public().(ed25519.PublicKey),
		Store: st, Dir: t.TempDir(), Sleep: sl.sleep, Clock: clock, Batch: 100, Jitter: func() float64 { return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openStore is a real kiosk store pinned to the fake hub's key.
func openStore(t *testing.T, h *fakeHub) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "doorcheck.db"), store.Options{Create: true, NoSync: true, HubKey: h.keys.Hub.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
