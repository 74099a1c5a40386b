package hub

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// testServer starts a Server on a loopback listener with its HTTPServer
// limits, plus any extra routes a test needs.
func testServer(t *testing.T, opts ServerOptions, extra func(*Server)) (string, *Server) {
	t.Helper()
	if opts.Data == "" {
		opts.Data = DataDir(t.TempDir())
		keys, err := Keygen(opts.Data, Config{Deployment: "test"}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		opts.Keys = keys
	}
	s := NewServer(opts)
	if extra != nil {
		extra(s)
	}
	hs := s.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String(), s
}

func decodeError(t *testing.T, resp *http.Response) protocol.Error {
	t.Helper()
	defer resp.Body.Close()
	var e protocol.Error
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("error body: %v (%s)", err, resp.Header.Get("Content-Type"))
	}
	return e
}

func TestOverloadedAnswers503WithRetryAfter(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	url, _ := testServer(t, ServerOptions{MaxInFlight: 1, PublicSnapshots: true}, func(s *Server) {
		s.route("/test/block", "block", routeAPI, getHead, func(w http.ResponseWriter, r *http.Request) error {
			close(entered)
			<-release
			return nil
		})
	})
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(url + "/test/block")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-entered
	resp, err := http.Get(url + "/v1/manifest")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || decodeError(t, resp).Code != protocol.CodeOverloaded {
		t.Fatalf("second request in flight: %d", resp.StatusCode)
	}
	// Health is answered even when the hub is overloaded.
	if resp, err := http.Get(url + "/v1/health"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("health while overloaded: %v %v", resp, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(url + "/v1/manifest"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("after the slot is free: %v %v", resp, err)
	}
}

func TestHeaderLimit(t *testing.T) {
	url, _ := testServer(t, ServerOptions{MaxHeaderBytes: 1 << 10}, nil)
	req, _ := http.NewRequest("GET", url+"/v1/health", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 8<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("8 KiB header over a 1 KiB limit: %d", resp.StatusCode)
	}
}

func TestPanicIsA500JSONAndLogged(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(b)
	}), nil))
	url, _ := testServer(t, ServerOptions{Logger: logger}, func(s *Server) {
		s.route("/test/panic", "panic", routeAPI, getHead, func(http.ResponseWriter, *http.Request) error { panic("boom") })
		s.route("/test/fail", "fail", routeAPI, getHead, func(http.ResponseWriter, *http.Request) error {
			return errors.New("disk on fire at /secret/path")
		})
	})
	for _, path := range []string{"/test/panic", "/test/fail"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		e := decodeError(t, resp)
		if resp.StatusCode != 500 || e.Code != protocol.CodeInternal || strings.Contains(e.Message, "secret") || strings.Contains(e.Message, "boom") {
			t.Fatalf("%s: %d %+v", path, resp.StatusCode, e)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "panic: boom") || !strings.Contains(logs.String(), "disk on fire") || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("log: %s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// TestStalledDownloadIsCutOff: a client that stops reading a download is
// disconnected after the idle write timeout instead of holding the
// connection forever. The test waits on the observer, not on a clock.
func TestStalledDownloadIsCutOff(t *testing.T) {
	d := DataDir(t.TempDir())
	keys, err := Keygen(d, Config{Deployment: "test"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// A published 64 MiB file: more than loopback socket buffers hold.
	const size = 64 << 20
	if err := os.MkdirAll(d.FilesDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(d.FilesDir(), protocol.FullName(1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ref := protocol.FileRef{Version: 1, Name: protocol.FullName(1), Size: size, SHA256: strings.Repeat("ab", 32), Records: 1}
	doc, err := protocol.SignIndex(protocol.Index{PublishedAt: time.Now(), Version: 1, Full: ref}, keys.Hub)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(d.ManifestFile()), 0o755)
	if err := os.WriteFile(d.ManifestFile(), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	obs := &downloadObserver{done: make(chan int64, 1)}
	url, _ := testServer(t, ServerOptions{Data: d, Keys: keys, IdleWriteTimeout: 100 * time.Millisecond, Observer: obs, PublicSnapshots: true}, nil)

	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/files/full-1.dcsnap HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	status, _ := br.ReadString('\n')
	if !strings.Contains(status, "200") {
		t.Fatalf("status line %q", status)
	}
	// Read nothing more: the server's writes stall, its deadline passes.
	select {
	case sent := <-obs.done:
		if sent >= size {
			t.Fatalf("the whole file was sent to a client that never read it")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a stalled download was not cut off")
	}
	n, _ := io.Copy(io.Discard, br)
	if n >= size {
		t.Fatalf("client received %d bytes", n)
	}
}

type downloadObserver struct {
	nopObserver
	done chan int64
}

func (o *downloadObserver) Download(kind string, partial bool, bytes int64) { o.done <- bytes }

func TestRequestContextHasADeadline(t *testing.T) {
	got := make(chan bool, 1)
	url, _ := testServer(t, ServerOptions{RequestTimeout: time.Minute}, func(s *Server) {
		s.route("/test/ctx", "ctx", routeAPI, getHead, func(w http.ResponseWriter, r *http.Request) error {
			_, ok := r.Context().Deadline()
			got <- ok
			return nil
		})
	})
	resp, err := http.Get(url + "/test/ctx")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !<-got {
		t.Fatal("an API request runs without a deadline")
	}
}
