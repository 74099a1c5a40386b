package main

// The upload path under faults, between real processes: a kiosk's
// `doorcheck sync` drains a backlog recorded offline through a proxy that
// breaks requests in every way a mobile link, a load balancer or a
// crashing hub does, while the `doorcheck-hub serve` behind it, and once
// the kiosk's own sync process, are SIGKILLed and restarted mid-upload. Exactly once is the claim: every
// recorded visit on the hub, none twice, none the kiosk did not record,
// and the kiosk's outbox empty.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// proxyFault is what the proxy does to one request.
type proxyFault int

const (
	faultNone          proxyFault = iota
	faultDrop                     // close the connection before reading the request
	faultDelay                    // wait 20-320 ms, then forward
	fault500                      // answer 500 without forwarding
	fault429                      // answer 429 with Retry-After: 1 without forwarding
	faultLost                     // forward, then answer 500: stored on the hub, the kiosk never hears
	faultResetRequest             // read half the request body, then reset the connection
	faultResetResponse            // forward, send the headers and half the body, then reset
	faultTruncate                 // forward, send half the body with a Content-Length to match
	faultCut                      // forward, declare the whole length, send half, close
	faultKinds                    // how many kinds there are
)

var faultNames = [faultKinds]string{"none", "drop", "delay", "500", "429", "lost answer", "reset in request", "reset in response", "truncated", "cut"}

// faultProxy is a reverse proxy on loopback that breaks requests by a
// seeded schedule: a deck holding every fault once and as many clean
// passes, shuffled, then the next deck. A deck rather than independent
// draws makes every kind happen within a few dozen requests however small
// the run, and the seed replays the same order. Uploads and the rest
// (manifest, files) draw from decks of their own.
type faultProxy struct {
	url      string
	upstream atomic.Pointer[string] // the hub's current base URL
	on       atomic.Bool            // faults switched on
	down     atomic.Bool            // the hub is being restarted: forwarded uploads do not count
	http     *http.Client

	mu     sync.Mutex
	rng    *rand.Rand
	decks  map[bool][]proxyFault // keyed by "is an upload"
	counts [faultKinds]int
	badGW  int    // requests answered 502: the hub unreachable (killed, restarting, or a stale connection)
	lastGW string // why the last of them was

	// rewrite, when set, replaces the body of every answer the hub gave
	// (path is the request's): a hub or cache serving wrong bytes.
	rewrite atomic.Pointer[func(path string, body []byte) []byte]

	uploads atomic.Int64     // upload requests forwarded to a live hub
	killAt  map[int64]string // under mu: forwarded upload → what to do as it arrives (killOrder.who)
	kill    chan killOrder
}

func newFaultProxy(t *testing.T, seed uint64, upstream string) *faultProxy {
	t.Helper()
	p := &faultProxy{
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		decks:  map[bool][]proxyFault{},
		killAt: map[int64]string{},
		kill:   make(chan killOrder, 8),
		// A short timeout of its own: the kiosk's answer must not hang on
		// a hub that died with the request.
		http: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8}},
	}
	p.upstream.Store(&upstream)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.url = "http://" + ln.Addr().String()
	return p
}

func (p *faultProxy) setUpstream(u string) { p.upstream.Store(&u) }

// at orders who (killOrder.who) to be dealt with as upload n arrives.
func (p *faultProxy) at(n int64, who string) {
	p.mu.Lock()
	p.killAt[n] = who
	p.mu.Unlock()
}

// killOrder asks the test to SIGKILL a process ("hub", "kiosk") as
// upload number at is on its way to the hub, or to revoke the kiosk
// ("revoke") before the upload goes on, closing done when it has.
type killOrder struct {
	at   int64
	who  string
	done chan struct{}
}

// draw takes the next fault for a request from its class's deck.
func (p *faultProxy) draw(upload bool) proxyFault {
	if !p.on.Load() {
		return faultNone
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.decks[upload]
	if len(d) == 0 {
		for f := faultDrop; f < faultKinds; f++ {
			d = append(d, f, faultNone)
		}
		p.rng.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
	}
	f := d[0]
	p.decks[upload] = d[1:]
	p.counts[f]++
	return f
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	upload := r.Method == http.MethodPost && r.URL.Path == protocol.VisitsPath
	f := p.draw(upload)
	switch f {
	case faultDrop:
		hijack(w, func(c net.Conn, _ *bufio.ReadWriter) { c.Close() })
		return
	case faultResetRequest:
		io.CopyN(io.Discard, r.Body, max(r.ContentLength/2, 1))
		hijack(w, func(c net.Conn, _ *bufio.ReadWriter) { reset(c) })
		return
	case fault500:
		io.Copy(io.Discard, r.Body)
		proxyError(w, http.StatusInternalServerError, "", "internal")
		return
	case fault429:
		io.Copy(io.Discard, r.Body)
		proxyError(w, http.StatusTooManyRequests, "1", "rate_limited")
		return
	case faultDelay:
		p.mu.Lock()
		d := time.Duration(20+p.rng.IntN(300)) * time.Millisecond
		p.mu.Unlock()
		time.Sleep(d)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if upload && !p.down.Load() {
		n := p.uploads.Add(1)
		p.mu.Lock()
		who := p.killAt[n]
		p.mu.Unlock()
		if who != "" {
			k := killOrder{at: n, who: who, done: make(chan struct{})}
			p.kill <- k // the test kills while this request is in the hub
			if k.who == "revoke" {
				<-k.done // held until the hub has revoked the kiosk
			}
		}
	}
	resp, rbody, err := p.forward(r, body)
	if err != nil {
		p.mu.Lock()
		p.badGW++
		p.lastGW = err.Error()
		p.mu.Unlock()
		http.Error(w, "bad gateway", http.StatusBadGateway) // what a load balancer says for a dead backend
		return
	}
	switch f {
	case faultLost:
		proxyError(w, http.StatusInternalServerError, "", "internal")
	case faultResetResponse:
		hijack(w, func(c net.Conn, bw *bufio.ReadWriter) {
			writeRaw(bw, resp, rbody[:len(rbody)/2], len(rbody))
			reset(c)
		})
	case faultTruncate:
		cut := rbody[:len(rbody)/2]
		hijack(w, func(c net.Conn, bw *bufio.ReadWriter) { writeRaw(bw, resp, cut, len(cut)); c.Close() })
	case faultCut:
		hijack(w, func(c net.Conn, bw *bufio.ReadWriter) {
			writeRaw(bw, resp, rbody[:len(rbody)/2], len(rbody))
			c.Close()
		})
	default:
		if rw := p.rewrite.Load(); rw != nil {
			rbody = (*rw)(r.URL.Path, rbody)
		}
		for k, vs := range resp.Header {
			if !hopHeader(k) {
				w.Header()[k] = vs
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(rbody)))
		w.WriteHeader(resp.StatusCode)
		w.Write(rbody)
	}
}

// forward sends the request to the hub and reads its whole answer.
func (p *faultProxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, *p.upstream.Load()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range r.Header {
		if !hopHeader(k) {
			req.Header[k] = vs
		}
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func hopHeader(k string) bool {
	switch http.CanonicalHeaderKey(k) {
	case "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Upgrade", "Proxy-Connection", "Te", "Trailer":
		return true
	}
	return false
}

func hijack(w http.ResponseWriter, fn func(net.Conn, *bufio.ReadWriter)) {
	c, bw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	fn(c, bw)
}

// reset closes with SO_LINGER 0: the peer gets a TCP RST, not a FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// writeRaw writes an HTTP/1.1 answer by hand: the hub's status and
// headers, a Content-Length of length and body (which may be shorter).
func writeRaw(bw *bufio.ReadWriter, resp *http.Response, body []byte, length int) {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	for k, vs := range resp.Header {
		if !hopHeader(k) {
			for _, v := range vs {
				fmt.Fprintf(bw, "%s: %s\r\n", k, v)
			}
		}
	}
	fmt.Fprintf(bw, "Content-Length: %d\r\nConnection: close\r\n\r\n", length)
	bw.Write(body)
	bw.Flush()
}

func proxyError(w http.ResponseWriter, status int, retryAfter string, code protocol.Code) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%q,"message":"fault injected by the test proxy"}`+"\n", code)
}

func (p *faultProxy) summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var parts []string
	for f, n := range p.counts {
		parts = append(parts, fmt.Sprintf("%s %d", faultNames[f], n))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; 502 (hub unreachable) %d, the last: %s", p.badGW, p.lastGW)
}

// proxiedKiosk is a kiosk provisioned behind the fault proxy.
type proxiedKiosk struct {
	config, db string
	hubKey     ed25519.PublicKey
	origin     visitOrigin
}

// provisionBehind enrolls a kiosk for venue and door and provisions it
// through the proxy (faults off at this point, as they are unless
// switched on): the kiosk only ever knows the proxy's address.
func provisionBehind(t *testing.T, h *testHub, px *faultProxy, venue, door string) proxiedKiosk {
	t.Helper()
	code := strings.Fields(h.run("enroll", "--data", h.data, "--venue", venue, "--door", door, "--direction", "entry", "--url", px.url))
	dir := t.TempDir()
	k := proxiedKiosk{config: filepath.Join(dir, "etc", "kiosk.yaml"), db: filepath.Join(dir, "var", "doorcheck.db")}
	if out, errs, rc := run(t, map[string]string{}, "", "provision", "--config", k.config, "--code", code[len(code)-1], "--store", k.db); rc != 0 {
		t.Fatalf("provision: %d\n%s%s", rc, out, errs)
	}
	cfg, err := config.Load(k.config)
	if err != nil {
		t.Fatal(err)
	}
	if k.hubKey, err = cfg.HubKey(); err != nil {
		t.Fatal(err)
	}
	k.origin = visitOrigin{cfg.Kiosk.ID, cfg.Kiosk.Venue, cfg.Kiosk.Door}
	return k
}

// uploadedLine is the sync loop's log line after an upload pass that sent
// something.
var uploadedLine = regexp.MustCompile(`msg=uploaded new=(\d+) duplicate=(\d+) refused=(\d+) pending=(\d+)`)

// TestSyncUnderFaults: DOORCHECK_SYNC_FAULT_VISITS visits (default
// 20,000; the figure is 100,000) recorded offline drain through
// the fault proxy to a hub killed with SIGKILL and restarted three times
// mid-upload (and the kiosk's sync process once), and arrive exactly
// once. DOORCHECK_FAULT_SEED replays a schedule; DOORCHECK_SYNC_FAULT_LOG=1 logs the tail of the kiosk's log;
// DOORCHECK_SYNC_FAULT_FREE=1 drains with no faults (the reference).
func TestSyncUnderFaults(t *testing.T) {
	n := envInt(t, "DOORCHECK_SYNC_FAULT_VISITS", 20_000)
	seed := faultSeed(t)
	h := newTestHub(t)
	h.importIINs(syncIINs(10), func(int) string { return "green" })
	hubCmd := h.serve()
	px := newFaultProxy(t, seed, h.url)

	k := provisionBehind(t, h, px, "arena", "gate-3")
	cfgPath, db, hubKey, vars := k.config, k.db, k.hubKey, map[string]string{}
	start := time.Now()
	ids := recordOffline(t, db, false, hubKey, k.origin, n)
	t.Logf("recorded %d visits offline in %s", n, time.Since(start).Round(time.Millisecond))

	// Kill the hub as the upload at 20 %, 50 % and 80 % of the batches
	// reaches it.
	// DOORCHECK_SYNC_FAULT_FREE=1 is the reference: the same drain through
	// the same proxy, no faults, no kills.
	faulty := os.Getenv("DOORCHECK_SYNC_FAULT_FREE") == ""
	batches := int64((n + protocol.MaxBatchVisits - 1) / protocol.MaxBatchVisits)
	if faulty {
		for _, at := range []int64{batches/5 + 1, batches/2 + 1, batches*4/5 + 1} {
			px.at(at, "hub")
		}
		at := batches*7/20 + 2
		for px.killAt[at] != "" { // a small backlog: not on a hub kill
			at++
		}
		px.at(at, "kiosk")
		px.on.Store(true)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start = time.Now()
	drained := make(chan struct{})
	var drainOnce sync.Once
	var logMu sync.Mutex
	var tail []string
	sent, dups := 0, 0
	logTail := func() string { logMu.Lock(); defer logMu.Unlock(); return strings.Join(tail, "\n") }
	// startKiosk starts `doorcheck sync` and follows its log.
	startKiosk := func() *exec.Cmd {
		cmd := proofCommand(ctx, vars, "sync", "--config", cfgPath)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				line := sc.Text()
				logMu.Lock()
				tail = append(tail, line)
				if len(tail) > 40 {
					tail = tail[1:]
				}
				if m := uploadedLine.FindStringSubmatch(line); m != nil {
					nw, _ := strconv.Atoi(m[1])
					dp, _ := strconv.Atoi(m[2])
					sent, dups = sent+nw, dups+dp
					if m[4] == "0" {
						drainOnce.Do(func() { close(drained) })
					}
				}
				logMu.Unlock()
			}
		}()
		return cmd
	}
	kiosk := startKiosk()

	hubKills, kioskKills := 0, 0
	limit := time.After(time.Duration(max(90, n/250)) * time.Second)
	for waiting := true; waiting; {
		select {
		case k := <-px.kill:
			if k.who == "kiosk" {
				kiosk.Process.Kill() // SIGKILL, its requests in flight
				kiosk.Wait()
				kioskKills++
				t.Logf("kiosk SIGKILLed at upload %d (%s in)", k.at, time.Since(start).Round(time.Millisecond))
				kiosk = startKiosk()
				continue
			}
			px.down.Store(true)
			hubCmd.Process.Kill() // SIGKILL
			hubCmd.Wait()
			hubKills++
			t.Logf("hub SIGKILLed at upload %d (%s in)", k.at, time.Since(start).Round(time.Millisecond))
			restart := time.Now()
			hubCmd = h.serve()
			px.setUpstream(h.url)
			px.down.Store(false)
			t.Logf("hub restarted in %s", time.Since(restart).Round(time.Millisecond))
		case <-drained:
			waiting = false
		case <-limit:
			kiosk.Process.Kill()
			t.Fatalf("outbox not drained after %s; proxy: %s\nkiosk log:\n%s", time.Since(start).Round(time.Second), px.summary(), logTail())
		}
	}
	elapsed := time.Since(start)
	kiosk.Process.Signal(os.Interrupt)
	if err := kiosk.Wait(); err != nil {
		t.Fatalf("doorcheck sync after an interrupt: %v\n%s", err, logTail())
	}
	if os.Getenv("DOORCHECK_SYNC_FAULT_LOG") != "" {
		t.Logf("kiosk log (tail):\n%s", logTail())
	}
	t.Logf("%d visits drained in %s through %d hub kills and %d kiosk kills; the kiosk heard %d stored new, %d duplicate; proxy: %s",
		n, elapsed.Round(time.Millisecond), hubKills, kioskKills, sent, dups, px.summary())
	if faulty && (hubKills < 2 || kioskKills < 1) {
		t.Errorf("the hub was killed %d times and the kiosk %d, want at least 2 and 1", hubKills, kioskKills)
	}
	px.mu.Lock()
	for f := faultDrop; f < faultKinds && faulty; f++ {
		if px.counts[f] == 0 {
			t.Errorf("fault %q never happened", faultNames[f])
		}
	}
	px.mu.Unlock()

	// The kiosk's outbox is empty.
	st, err := store.Open(db, store.Options{HubKey: hubKey})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.PendingCount()
	st.Close()
	if err != nil || pending != 0 {
		t.Errorf("kiosk outbox holds %d visits after the drain (%v)", pending, err)
	}

	// The hub holds exactly the recorded ids, each once.
	hubCmd.Process.Signal(os.Interrupt)
	hubCmd.Wait()
	assertExactlyOnce(t, h.data, ids)
	days := map[string]bool{}
	for _, id := range ids {
		days[visit.ID(id).Time().Local().Format(time.DateOnly)] = true
	}
	reported := 0
	for day := range days {
		reported += h.visitsOn("arena", day)
	}
	if reported != n {
		t.Errorf("the hub's report counts %d visits, %d were recorded", reported, n)
	}
}

// assertExactlyOnce reads the stopped hub's visits and compares their ids
// with the recorded ones: no duplicates, no gaps, nothing extra.
func assertExactlyOnce(t *testing.T, data string, ids []store.VisitID) {
	t.Helper()
	seen := hubVisits(t, data)
	stored := 0
	for _, c := range seen {
		stored += c
	}
	twice, missing := 0, 0
	for _, c := range seen {
		if c > 1 {
			twice++
		}
	}
	want := map[visit.ID]bool{}
	for _, id := range ids {
		want[visit.ID(id)] = true
		if seen[visit.ID(id)] == 0 {
			missing++
		}
	}
	extra := 0
	for id := range seen {
		if !want[id] {
			extra++
		}
	}
	if stored != len(ids) || twice != 0 || missing != 0 || extra != 0 {
		t.Fatalf("hub stores %d visits for %d recorded: %d ids twice, %d missing, %d never recorded", stored, len(ids), twice, missing, extra)
	}
}

// hubVisits reads a stopped hub's visits: how many times each id is
// stored.
func hubVisits(t *testing.T, data string) map[visit.ID]int {
	t.Helper()
	hs, err := boltstore.Open(data, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	seen := map[visit.ID]int{}
	err = hs.Visits(context.Background(), time.Now().Add(-48*time.Hour), time.Now().Add(time.Hour), func(page []visit.Record) error {
		for _, r := range page {
			seen[r.ID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seen
}
