package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/snapgen"
)

// doctorKiosk is a provisioned kiosk in a temporary directory: a config
// pinned to snapgen seed 3's hub, a store holding a fresh snapshot, a
// credential, and machine parts (disk, /proc, udev, RTC, NTP, terminal)
// that each test breaks on purpose.
type doctorKiosk struct {
	dir, cfg, db string
	deps         doctorDeps
	yaml         map[string]string // section → YAML, written by write
	created      time.Time
}

func newDoctorKiosk(t *testing.T) *doctorKiosk {
	t.Helper()
	k := &doctorKiosk{dir: t.TempDir(), created: time.Now().Add(-time.Hour)}
	k.cfg, k.db = filepath.Join(k.dir, "kiosk.yaml"), filepath.Join(k.dir, "k.db")
	pub := snapgen.KeysFor(3).Hub.Public().(ed25519.PublicKey)
	k.yaml = map[string]string{
		"kiosk":   "kiosk: {id: k, venue: v, door: d}",
		"store":   "store: {path: k.db}",
		"hub":     "hub: {public_key: " + base64.StdEncoding.EncodeToString(pub) + "}",
		"scanner": "scanner: {wedge: {enabled: true}}",
	}
	k.write(t)
	s := snapgen.Generate(snapgen.Options{Subjects: 50, Seed: 3, Version: 4, CreatedAt: k.created})
	var buf bytes.Buffer
	if err := s.WriteFull(&buf); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(k.dir, "full.snap")
	os.WriteFile(snap, buf.Bytes(), 0o600)
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", k.cfg, snap); code != exitOK {
		t.Fatalf("import: %s", errOut)
	}
	for _, d := range []string{"proc", "udev", "rtc"} {
		os.Mkdir(filepath.Join(k.dir, d), 0o755)
	}
	os.Mkdir(filepath.Join(k.dir, "rtc", "rtc0"), 0o755)
	k.deps = doctorDeps{
		now:      time.Now,
		http:     &http.Client{Timeout: 5 * time.Second},
		statfs:   func(string) (diskSpace, error) { return diskSpace{Free: 20 << 30, Total: 32 << 30}, nil },
		procRoot: filepath.Join(k.dir, "proc"),
		udevRoot: filepath.Join(k.dir, "udev"),
		rtcRoot:  filepath.Join(k.dir, "rtc"),
		timeSync: func(context.Context) (timeSync, error) { return timeSync{Synchronised: true, Source: "fake"}, nil },
		user:     doctorUser{Name: "doorcheck", UID: 0},
		terminal: func() (terminalInfo, bool) { return terminalInfo{Width: 100, Height: 30}, true },
		scanIn:   strings.NewReader(""),
	}
	return k
}

func (k *doctorKiosk) write(t *testing.T) {
	t.Helper()
	var b strings.Builder
	for _, s := range []string{"kiosk", "policy", "store", "hub", "scanner"} {
		if y := k.yaml[s]; y != "" {
			b.WriteString(y + "\n")
		}
	}
	if err := os.WriteFile(k.cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// withHub points the config at url with a credential for kiosk k.
func (k *doctorKiosk) withHub(t *testing.T, url string) {
	t.Helper()
	pub := snapgen.KeysFor(3).Hub.Public().(ed25519.PublicKey)
	os.WriteFile(filepath.Join(k.dir, "hub.credential"), []byte(protocol.Credential("k", []byte("secret"))+"\n"), 0o600)
	k.yaml["hub"] = "hub: {url: '" + url + "', public_key: " + base64.StdEncoding.EncodeToString(pub) + ", credential_file: hub.credential}"
	k.write(t)
}

// doctor runs doctor --json on the kiosk and returns the checks by name.
func (k *doctorKiosk) doctor(t *testing.T, extra ...string) (map[string]checkResult, int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "TERM" {
			return "xterm-256color"
		}
		return ""
	}}
	err := doctorWith(context.Background(), e, append([]string{"--json", "--config", k.cfg}, extra...), k.deps)
	code := exitCode(e, "doctor", err)
	var rep struct {
		OK     bool
		Checks []checkResult
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s%s", err, out.String(), errb.String())
	}
	byName := map[string]checkResult{}
	for _, c := range rep.Checks {
		byName[c.Name] = c
	}
	if rep.OK != (code == exitOK) {
		t.Errorf("ok %v with exit %d", rep.OK, code)
	}
	return byName, code, out.String()
}

// want checks one check's status and that its detail and fix say the
// given words.
func want(t *testing.T, checks map[string]checkResult, name string, status checkStatus, words ...string) {
	t.Helper()
	c, ok := checks[name]
	if !ok {
		t.Errorf("no %s check in %v", name, checks)
		return
	}
	if c.Status != status {
		t.Errorf("%s: %s (%s — %s), want %s", name, c.Status, c.Detail, c.Fix, status)
	}
	if status == statusFail && c.Fix == "" {
		t.Errorf("%s fails without a fix: %s", name, c.Detail)
	}
	for _, w := range words {
		if !strings.Contains(c.Detail+" "+c.Fix, w) {
			t.Errorf("%s does not say %q: %s — %s", name, w, c.Detail, c.Fix)
		}
	}
}

// fakeScannerPort is a pty slave standing in for a serial scanner.
func fakeScannerPort(t *testing.T) (master *os.File, slave string) {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s.Name()
}

func (k *doctorKiosk) withPort(t *testing.T, port string) {
	k.yaml["scanner"] = "scanner: {serial: {port: '" + port + "'}, wedge: {enabled: false}}"
	k.write(t)
}

// fakeHub answers health and the kiosk record; revoked and skew break it.
func fakeHub(t *testing.T, revoked bool, skew time.Duration) *httptest.Server {
	t.Helper()
	h := http.NewServeMux()
	h.HandleFunc(protocol.HealthPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		json.NewEncoder(w).Encode(protocol.Health{Status: "ok", Protocol: 1, Time: time.Now().Add(skew)})
	})
	h.HandleFunc(protocol.KioskPath, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+protocol.Credential("k", []byte("secret")) {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeUnauthorized})
			return
		}
		if revoked {
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeKioskRevoked, RevokedAt: time.Now().Add(-time.Hour)})
			return
		}
		json.NewEncoder(w).Encode(protocol.KioskInfo{Kiosk: "k", Venue: "v", Door: "d", Direction: "entry"})
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// TestDoctorHealthy: a working set-up is all ok (or skip) and exits 0.
func TestDoctorHealthy(t *testing.T) {
	k := newDoctorKiosk(t)
	_, port := fakeScannerPort(t)
	k.withPort(t, port)
	k.withHub(t, fakeHub(t, false, 0).URL)
	checks, code, out := k.doctor(t)
	if code != exitOK {
		t.Errorf("exit %d:\n%s", code, out)
	}
	for _, c := range checks {
		if c.Status != statusOK && c.Status != statusSkip {
			t.Errorf("%s: %s %s — %s", c.Name, c.Status, c.Detail, c.Fix)
		}
	}
	for _, name := range []string{"config", "scanner.port", "scanner.access", "scanner.open", "snapshot", "store.integrity", "store.pending", "disk", "hub", "hub.token", "clock.skew", "clock.sync", "terminal"} {
		if _, ok := checks[name]; !ok {
			t.Errorf("no %s check", name)
		}
	}
	want(t, checks, "snapshot", statusOK, "version 4", "50 subjects")
	want(t, checks, "store.integrity", statusOK, "snapshot file passed")
	want(t, checks, "hub.token", statusOK, "accepted")
}

// TestDoctorBrokenSetups breaks one part at a time: each is reported by
// its check with a fix, and doctor exits non-zero.
func TestDoctorBrokenSetups(t *testing.T) {
	tests := []struct {
		name   string
		breakf func(t *testing.T, k *doctorKiosk)
		check  string
		status checkStatus
		words  []string
	}{
		{"missing by-id port", func(t *testing.T, k *doctorKiosk) {
			k.withPort(t, "/dev/serial/by-id/usb-Honeywell_nothing-if00")
		}, "scanner.port", statusFail, []string{"does not exist", "doorcheck scanner list"}},
		{"missing port", func(t *testing.T, k *doctorKiosk) {
			k.withPort(t, filepath.Join(k.dir, "ttyACM9"))
		}, "scanner.port", statusFail, []string{"does not exist", "99-doorcheck-scanner.rules"}},
		{"unreadable port", func(t *testing.T, k *doctorKiosk) {
			_, port := fakeScannerPort(t)
			if err := os.Chmod(port, 0o600); err != nil {
				t.Skip(err)
			}
			k.withPort(t, port)
			k.deps.user = doctorUser{Name: "doorcheck", UID: 65534, GIDs: []int{65534}}
		}, "scanner.access", statusFail, []string{"may not open it", "99-doorcheck-scanner.rules"}},
		{"not in the port's group", func(t *testing.T, k *doctorKiosk) {
			_, port := fakeScannerPort(t)
			if err := os.Chmod(port, 0o660); err != nil {
				t.Skip(err)
			}
			k.withPort(t, port)
			k.deps.user = doctorUser{Name: "doorcheck", UID: 65534, GIDs: []int{65534}}
		}, "scanner.access", statusFail, []string{"usermod -aG", "doorcheck"}},
		{"not a device", func(t *testing.T, k *doctorKiosk) {
			k.withPort(t, k.cfg)
		}, "scanner.port", statusFail, []string{"not a character device"}},
		{"no snapshot", func(t *testing.T, k *doctorKiosk) {
			os.Remove(store.SnapshotPathFor(k.db))
		}, "snapshot", statusFail, []string{"no snapshot", "doorcheck sync --once"}},
		{"stale snapshot, stale: deny", func(t *testing.T, k *doctorKiosk) {
			k.yaml["policy"] = "policy: {stale: deny, max_age: 12h}"
			k.write(t)
			k.deps.now = func() time.Time { return time.Now().Add(20 * time.Hour) }
		}, "snapshot", statusFail, []string{"stale", "doorcheck sync --once"}},
		{"snapshot past max_data_age", func(t *testing.T, k *doctorKiosk) {
			k.deps.now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
		}, "snapshot", statusFail, []string{"data_too_old"}},
		{"not provisioned", func(t *testing.T, k *doctorKiosk) {
			os.Remove(k.db)
			os.Remove(store.SnapshotPathFor(k.db))
		}, "store", statusFail, []string{"not provisioned", "doorcheck provision"}},
		{"corrupt visit log", func(t *testing.T, k *doctorKiosk) {
			corrupt(t, k.db)
		}, "store.integrity", statusFail, []string{"restore from backup"}},
		{"corrupt snapshot file", func(t *testing.T, k *doctorKiosk) {
			corrupt(t, store.SnapshotPathFor(k.db))
		}, "store.integrity", statusFail, []string{"snapshot", "replaces a damaged snapshot"}},
		{"nearly full disk", func(t *testing.T, k *doctorKiosk) {
			k.deps.statfs = func(string) (diskSpace, error) { return diskSpace{Free: 10 << 20, Total: 8 << 30}, nil }
		}, "disk", statusFail, []string{"10.0 MB free", "free space"}},
		{"unreachable hub", func(t *testing.T, k *doctorKiosk) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close()
			k.withHub(t, "http://"+addr)
		}, "hub", statusFail, []string{"cannot connect", "doorcheck-hub"}},
		{"hub TLS not trusted", func(t *testing.T, k *doctorKiosk) {
			srv := httptest.NewUnstartedServer(http.NotFoundHandler())
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
			srv.StartTLS()
			t.Cleanup(srv.Close)
			k.withHub(t, srv.URL)
		}, "hub.tls", statusFail, []string{"unknown authority", "update-ca-certificates"}},
		{"revoked token", func(t *testing.T, k *doctorKiosk) {
			k.withHub(t, fakeHub(t, true, 0).URL)
		}, "hub.token", statusFail, []string{"revoked", "doorcheck-hub enroll"}},
		{"wrong credential", func(t *testing.T, k *doctorKiosk) {
			k.withHub(t, fakeHub(t, false, 0).URL)
			os.WriteFile(filepath.Join(k.dir, "hub.credential"), []byte(protocol.Credential("k", []byte("other"))), 0o600)
		}, "hub.token", statusFail, []string{"does not accept", "provision"}},
		{"clock skew against the hub", func(t *testing.T, k *doctorKiosk) {
			k.withHub(t, fakeHub(t, false, -time.Hour).URL)
		}, "clock.skew", statusFail, []string{"ahead of the hub", "more than policy.clock_skew", "timedatectl"}},
		{"missing config", func(t *testing.T, k *doctorKiosk) {
			os.Remove(k.cfg)
		}, "config", statusFail, []string{"no config", "doorcheck provision"}},
		{"invalid config", func(t *testing.T, k *doctorKiosk) {
			k.yaml["policy"] = "policy: {reentry: maybe}"
			k.write(t)
		}, "config", statusFail, []string{"policy.reentry: line 2"}},
		{"ModemManager holds the port", func(t *testing.T, k *doctorKiosk) {
			port := fakeACM(t, k)
			mm := filepath.Join(k.dir, "proc", "4242")
			os.MkdirAll(filepath.Join(mm, "fd"), 0o755)
			os.WriteFile(filepath.Join(mm, "comm"), []byte("ModemManager\n"), 0o644)
			os.Symlink(port, filepath.Join(mm, "fd", "7"))
		}, "scanner.modemmanager", statusFail, []string{"holds", "ID_MM_DEVICE_IGNORE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newDoctorKiosk(t)
			tt.breakf(t, k)
			checks, code, out := k.doctor(t)
			if code != exitFailure {
				t.Errorf("exit %d, want %d:\n%s", code, exitFailure, out)
			}
			want(t, checks, tt.check, tt.status, tt.words...)
		})
	}
}

// TestDoctorWarnings: things that work today but will not for long are
// warnings with a fix, and do not fail doctor.
func TestDoctorWarnings(t *testing.T) {
	tests := []struct {
		name   string
		breakf func(t *testing.T, k *doctorKiosk)
		check  string
		words  []string
	}{
		{"stale snapshot, stale: warn", func(t *testing.T, k *doctorKiosk) {
			k.deps.now = func() time.Time { return time.Now().Add(30 * time.Hour) }
		}, "snapshot", []string{"stale", "max_age"}},
		{"ModemManager may probe", func(t *testing.T, k *doctorKiosk) {
			fakeACM(t, k)
			os.MkdirAll(filepath.Join(k.dir, "proc", "4242"), 0o755)
			os.WriteFile(filepath.Join(k.dir, "proc", "4242", "comm"), []byte("ModemManager\n"), 0o644)
		}, "scanner.modemmanager", []string{"probe", "99-doorcheck-scanner.rules"}},
		{"no NTP, no RTC", func(t *testing.T, k *doctorKiosk) {
			k.deps.timeSync = func(context.Context) (timeSync, error) { return timeSync{Source: "fake"}, nil }
			os.Remove(filepath.Join(k.dir, "rtc", "rtc0"))
		}, "clock.sync", []string{"no real-time clock", "timedatectl set-ntp true"}},
		{"small terminal", func(t *testing.T, k *doctorKiosk) {
			k.deps.terminal = func() (terminalInfo, bool) { return terminalInfo{Width: 60, Height: 20}, true }
		}, "terminal", []string{"60x20", "compact layout"}},
		{"little free space", func(t *testing.T, k *doctorKiosk) {
			k.deps.statfs = func(string) (diskSpace, error) { return diskSpace{Free: 500 << 20, Total: 8 << 30}, nil }
		}, "disk", []string{"under 10%"}},
		{"skew under clock_skew", func(t *testing.T, k *doctorKiosk) {
			k.yaml["policy"] = "policy: {clock_skew: 10m}"
			k.write(t)
			k.withHub(t, fakeHub(t, false, 5*time.Minute).URL)
		}, "clock.skew", []string{"behind the hub", "set-ntp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newDoctorKiosk(t)
			tt.breakf(t, k)
			checks, code, out := k.doctor(t)
			if code != exitOK {
				t.Errorf("exit %d, want 0:\n%s", code, out)
			}
			want(t, checks, tt.check, statusWarn, tt.words...)
		})
	}
}

// fakeACM links a pty under a ttyACM name, as the kernel names a USB CDC
// scanner, and configures it.
func fakeACM(t *testing.T, k *doctorKiosk) string {
	t.Helper()
	_, port := fakeScannerPort(t)
	dev := filepath.Join(k.dir, "dev")
	os.Mkdir(dev, 0o755)
	acm := filepath.Join(dev, "ttyACM0")
	if err := os.Symlink(port, acm); err != nil {
		t.Fatal(err)
	}
	k.withPort(t, acm)
	real, _ := filepath.EvalSymlinks(acm)
	return real
}

// corrupt overwrites the middle of a bbolt file with garbage, past its
// two meta pages.
func corrupt(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	junk := bytes.Repeat([]byte{0xA5}, int(fi.Size())-8192)
	if _, err := f.WriteAt(junk, 8192); err != nil {
		t.Fatal(err)
	}
}

// TestDoctorText: the text form is one line per check, the fix on the
// line, and a summary.
func TestDoctorText(t *testing.T) {
	k := newDoctorKiosk(t)
	k.withPort(t, "/dev/serial/by-id/usb-none-if00")
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
	err := doctorWith(context.Background(), e, []string{"--config", k.cfg}, k.deps)
	if exitCode(e, "doctor", err) != exitFailure {
		t.Errorf("exit %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var port string
	for _, l := range lines {
		if strings.HasPrefix(l, "FAIL scanner.port") {
			port = l
		}
	}
	if !strings.Contains(port, " — fix: plug the scanner in") {
		t.Errorf("scanner.port line %q\n%s", port, out.String())
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "checks: ") || !strings.Contains(last, "failed") {
		t.Errorf("summary %q", last)
	}
}
