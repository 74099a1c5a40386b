package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/transfer"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// hubProcess is a doorcheck-hub serve started as a child process.
type hubProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	waited chan error
}

// lockedBuffer collects the hub's stderr and lets a test wait for a line.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	waiters []waiter
}

type waiter struct {
	substr string
	ch     chan struct{}
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	kept := l.waiters[:0]
	for _, w := range l.waiters {
		if strings.Contains(l.b.String(), w.substr) {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	l.waiters = kept
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor returns a channel closed once the output holds substr.
func (l *lockedBuffer) waitFor(substr string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(l.b.String(), substr) {
		close(ch)
	} else {
		l.waiters = append(l.waiters, waiter{substr, ch})
	}
	return ch
}

// startHub re-executes the test binary as `doorcheck-hub serve` on a free
// loopback port and waits for the address line on its stdout (a pipe: no
// sleeping).
func startHub(t *testing.T, data string, extra ...string) *hubProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &hubProcess{cmd: cmd, stderr: &lockedBuffer{}, waited: make(chan error, 1)}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("hub did not start: %v\n%s", err, h.stderr)
	}
	h.url = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	go func() { io.Copy(io.Discard, stdout); h.waited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-h.waited
		}
	})
	if os.Getenv(dbEnv) != "" {
		// On PostgreSQL the hub answers before its database setup (the
		// index, partitions) has run: wait until it says it is ready.
		waitHealth(t, h.url, http.StatusOK)
	}
	return h
}

// stop sends SIGTERM and returns the exit error.
func (h *hubProcess) stop(t *testing.T) error {
	t.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-h.waited:
		return err
	case <-time.After(20 * time.Second):
		h.cmd.Process.Kill()
		t.Fatalf("hub did not stop on SIGTERM\n%s", h.stderr)
		return nil
	}
}

// countingConn counts the bytes a client sends and receives.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// bearer adds a kiosk's credential (and its snapshot version) to every
// request, as the sync client does.
type bearer struct {
	cred string
	rt   http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.cred)
	r.Header.Set(protocol.KioskVersionHeader, "1")
	return b.rt.RoundTrip(r)
}

func countingClient(n *atomic.Int64, cred string) *http.Client {
	return &http.Client{Transport: bearer{cred, &http.Transport{
		DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, n}, nil
		},
	}}}
}

func get(t *testing.T, c *http.Client, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func noRedirect(cred string) *http.Client {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if cred != "" {
		c.Transport = bearer{cred, http.DefaultTransport}
	}
	return c
}

func hubKey(t *testing.T, data string) ed25519.PublicKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "keys", "hub.pub"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func errorCode(t *testing.T, resp *http.Response, body []byte) protocol.Error {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%d answer has Content-Type %q: %s", resp.StatusCode, ct, body)
	}
	var e protocol.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.Message == "" {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e
}

// TestServeSnapshots runs import and serve as they run in the field: the
// hub process serves while a second import publishes, and a kiosk-side
// client polls, downloads, resumes and verifies.
func TestServeSnapshots(t *testing.T) { forBackends(t, testServeSnapshots) }

func testServeSnapshots(t *testing.T, backend string) {
	data := keygen(t)
	dir := t.TempDir()
	iins := testIINs(400)
	mustRun(t, "import", "--data", data, writeCSV(t, dir, "v1.csv", iins[:300], 0))
	h := startHub(t, data)
	key := hubKey(t, data)
	// Published while the hub serves: import needs no lock serve holds.
	mustRun(t, "import", "--data", data, writeCSV(t, dir, "v2.csv", iins[:310], 0))

	k := enrollKiosk(t, data, h.url, "cinema-7", "north", "entry")
	var wireBytes atomic.Int64
	kiosk := countingClient(&wireBytes, k.cred)

	// Snapshot data is personal data: no credentials, no snapshot.
	for _, path := range []string{"/v1/manifest", "/v1/full", "/v1/delta?from=1", "/v1/files/full-2.dcsnap"} {
		resp, body := get(t, noRedirect(""), h.url+path)
		if e := errorCode(t, resp, body); resp.StatusCode != 401 || e.Code != protocol.CodeUnauthorized {
			t.Errorf("%s without credentials: %d %s", path, resp.StatusCode, body)
		}
	}

	// The manifest, then the unchanged-kiosk poll: 304, under 1 KiB.
	resp, doc := get(t, kiosk, h.url+"/v1/manifest")
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("manifest: %d %v", resp.StatusCode, resp.Header)
	}
	x, err := protocol.VerifyIndex(doc, key)
	if err != nil {
		t.Fatal(err)
	}
	if x.Version != 2 || len(x.Deltas) != 1 || x.Deltas[0].Name != "delta-1-2.dcsnap" {
		t.Fatalf("index: %+v", x)
	}
	etag := resp.Header.Get("ETag")
	wireBytes.Store(0)
	resp, body := get(t, kiosk, h.url+"/v1/manifest", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("conditional manifest poll: %d, %d bytes", resp.StatusCode, len(body))
	}
	if n := wireBytes.Load(); n > 1024 {
		t.Fatalf("an unchanged kiosk's poll costs %d bytes on the wire, want <= 1024", n)
	} else {
		t.Logf("unchanged manifest poll: %d bytes on the wire (request and answer)", n)
	}

	// The full snapshot through /v1/full, verified against the hub key.
	resp, full := get(t, kiosk, h.url+"/v1/full")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/v1/files/full-2.dcsnap" {
		t.Fatalf("full: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	if sum := sha256.Sum256(full); hex.EncodeToString(sum[:]) != x.Full.SHA256 || int64(len(full)) != x.Full.Size {
		t.Fatal("full file does not match the index's size and hash")
	}
	if !strings.HasPrefix(resp.Header.Get("ETag"), `"sha256:`) || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("file headers: %v", resp.Header)
	}
	entries := openEntries(t, full, key)
	if uint64(len(entries)) != x.Full.Records || len(entries) != 248 {
		t.Fatalf("full snapshot has %d entries", len(entries))
	}

	// A broken download resumes with Range and If-Range.
	fileURL := h.url + "/v1/files/full-2.dcsnap"
	fetag := resp.Header.Get("ETag")
	resp, head := get(t, kiosk, fileURL, "Range", "bytes=0-999")
	if resp.StatusCode != http.StatusPartialContent || len(head) != 1000 {
		t.Fatalf("first range: %d, %d bytes", resp.StatusCode, len(head))
	}
	resp, tail := get(t, kiosk, fileURL, "Range", "bytes=1000-", "If-Range", fetag)
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(append(head, tail...), full) {
		t.Fatalf("resumed download: %d, %d bytes, not the file", resp.StatusCode, len(tail))
	}
	resp, whole := get(t, kiosk, fileURL, "Range", "bytes=1000-", "If-Range", `"sha256:not-this-file"`)
	if resp.StatusCode != 200 || !bytes.Equal(whole, full) {
		t.Fatalf("If-Range with another ETag must send the whole file: %d", resp.StatusCode)
	}
	resp, _ = get(t, kiosk, fileURL, "If-None-Match", fetag)
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("file If-None-Match: %d", resp.StatusCode)
	}

	// The compact transfer form decodes to the same bytes.
	if x.Transfer == nil {
		t.Fatal("index lists no transfer form")
	}
	resp, xfer := get(t, kiosk, h.url+protocol.FileURL(x.Transfer.Name))
	var decoded bytes.Buffer
	if err := transfer.Decode(&decoded, bytes.NewReader(xfer)); resp.StatusCode != 200 || err != nil {
		t.Fatalf("transfer form: %d %v", resp.StatusCode, err)
	}
	if sum := sha256.Sum256(decoded.Bytes()); hex.EncodeToString(sum[:]) != x.Full.SHA256 {
		t.Fatal("the decoded transfer form is not the full file")
	}

	// Delta from N: the chain step, nothing to do, or take the full one.
	resp, delta := get(t, kiosk, h.url+"/v1/delta?from=1")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/v1/files/delta-1-2.dcsnap" {
		t.Fatalf("delta from 1: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	r, err := wire.Open(bytes.NewReader(delta), key)
	if err != nil || r.Manifest.Kind != wire.KindDelta || r.Manifest.BaseVersion != 1 || r.Manifest.Version != 2 {
		t.Fatalf("delta file: %v %+v", err, r)
	}
	for _, tc := range []struct {
		from   string
		status int
		code   protocol.Code
	}{
		{"2", http.StatusNoContent, ""},
		{"0", http.StatusNotFound, protocol.CodeDeltaUnavailable},
		{"9", http.StatusConflict, protocol.CodeVersionAhead},
		{"one", http.StatusBadRequest, protocol.CodeBadRequest},
		{"", http.StatusBadRequest, protocol.CodeBadRequest},
	} {
		resp, body := get(t, noRedirect(k.cred), h.url+"/v1/delta?from="+tc.from)
		if resp.StatusCode != tc.status {
			t.Errorf("delta from %q: %d %s", tc.from, resp.StatusCode, body)
			continue
		}
		if tc.code != "" {
			e := errorCode(t, resp, body)
			if e.Code != tc.code {
				t.Errorf("delta from %q: code %s", tc.from, e.Code)
			}
			if tc.code == protocol.CodeDeltaUnavailable && e.Full != "/v1/files/full-2.dcsnap" {
				t.Errorf("delta_unavailable names %q as the full file", e.Full)
			}
		}
	}

	// A new version: the old ETag now gets the new index.
	mustRun(t, "import", "--data", data, writeCSV(t, dir, "v3.csv", iins[:320], 0))
	resp, doc = get(t, kiosk, h.url+"/v1/manifest", "If-None-Match", etag)
	if x, err = protocol.VerifyIndex(doc, key); resp.StatusCode != 200 || err != nil || x.Version != 3 || len(x.Deltas) != 2 {
		t.Fatalf("manifest after a new import: %d %v %+v", resp.StatusCode, err, x)
	}
	// An older published file is still served (a kiosk finishing it).
	if resp, _ := get(t, kiosk, h.url+"/v1/files/full-1.dcsnap"); resp.StatusCode != 200 {
		t.Fatalf("older full file: %d", resp.StatusCode)
	}

	// Everything else is a JSON error with a code.
	for _, tc := range []struct {
		method, path string
		status       int
		code         protocol.Code
	}{
		{"GET", "/v1/nothing", 404, protocol.CodeNotFound},
		{"GET", "/v1/files/full-9.dcsnap", 404, protocol.CodeNotFound},
		{"GET", "/v1/files/full-01.dcsnap", 404, protocol.CodeNotFound},
		{"GET", "/v1/files/..%2fkeys%2fhub.key", 404, protocol.CodeNotFound},
		{"GET", "/v1/files/", 404, protocol.CodeNotFound},
		{"POST", "/v1/manifest", 405, protocol.CodeMethodNotAllowed},
		{"DELETE", "/v1/files/full-2.dcsnap", 405, protocol.CodeMethodNotAllowed},
	} {
		req, _ := http.NewRequest(tc.method, h.url+tc.path, nil)
		resp, err := noRedirect(k.cred).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || errorCode(t, resp, body).Code != tc.code {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, body)
		}
	}

	resp, body = get(t, kiosk, h.url+"/v1/health")
	var health protocol.Health
	if err := json.Unmarshal(body, &health); resp.StatusCode != 200 || err != nil || health.Status != "ok" || health.SnapshotVersion != 3 || resp.Header.Get("Date") == "" {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}

	resp, body = get(t, kiosk, h.url+"/metrics")
	for _, want := range []string{
		"doorcheck_hub_manifest_not_modified_total 1",
		`doorcheck_hub_snapshot_downloads_total{kind="full",partial="true"} 2`,
		`doorcheck_hub_snapshot_downloads_total{kind="delta",partial="false"} 1`,
		"doorcheck_hub_snapshot_version 3",
		`doorcheck_hub_http_requests_total{code="304",route="manifest"} 1`,
		`doorcheck_hub_http_requests_total{code="405",route="manifest"} 1`,
		"doorcheck_hub_http_in_flight",
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A revoked kiosk gets its answer on the next manifest poll.
	mustRun(t, "revoke", "--data", data, k.id)
	resp, body = get(t, kiosk, h.url+"/v1/manifest")
	if e := errorCode(t, resp, body); resp.StatusCode != 403 || e.Code != protocol.CodeKioskRevoked {
		t.Fatalf("revoked kiosk's poll: %d %s", resp.StatusCode, body)
	}

	if err := h.stop(t); err != nil {
		t.Fatalf("hub exit after SIGTERM: %v\n%s", err, h.stderr)
	}
	// Contacts are buffered and written at the latest at shutdown.
	if out := mustRun(t, "kiosks", "--data", data, "--json"); !strings.Contains(out, `"snapshot_version": 1`) || !strings.Contains(out, "last_contact") {
		t.Errorf("the fleet list lacks the kiosk's contact:\n%s", out)
	}
	logs := h.stderr.String()
	for _, want := range []string{`"msg":"request"`, `"route":"manifest"`, `"status":304`, `"file":"full-2.dcsnap"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("hub log lacks %s", want)
		}
	}
	if strings.Contains(logs, "..") || strings.Contains(logs, "nothing") {
		t.Errorf("hub log holds raw request paths:\n%s", logs)
	}
	assertNoIIN(t, data, iins)
}

func openEntries(t *testing.T, file []byte, key ed25519.PublicKey) []wire.Entry {
	t.Helper()
	r, err := wire.Open(bytes.NewReader(file), key)
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

func TestServeBeforeAnyImport(t *testing.T) { forBackends(t, testServeBeforeAnyImport) }

func testServeBeforeAnyImport(t *testing.T, backend string) {
	data := keygen(t)
	h := startHub(t, data, "--public-snapshots")
	for _, path := range []string{"/v1/manifest", "/v1/full", "/v1/delta?from=0"} {
		resp, body := get(t, noRedirect(""), h.url+path)
		if resp.StatusCode != 404 || errorCode(t, resp, body).Code != protocol.CodeNoSnapshot {
			t.Errorf("%s before any import: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body := get(t, http.DefaultClient, h.url+"/v1/health")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"snapshot_version":0`) {
		t.Errorf("health before any import: %d %s", resp.StatusCode, body)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
}
