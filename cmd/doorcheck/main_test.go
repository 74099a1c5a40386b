package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk/adminpin"
	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// run executes one command line in process and returns its streams.
func run(t *testing.T, envVars map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return envVars[k] }}
	code = Main(context.Background(), e, args)
	return out.String(), errb.String(), code
}

func demoEnv(t *testing.T) map[string]string {
	return map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(t.TempDir(), "demo.db")}
}

func sample(t *testing.T, label string) string {
	t.Helper()
	p, err := demo.Payload(time.Now(), label)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type verdictLine struct {
	Status          string   `json:"status"`
	Verdict         string   `json:"verdict"`
	Reasons         []string `json:"reasons"`
	SnapshotVersion uint64   `json:"snapshot_version"`
	Recorded        bool     `json:"recorded"`
	Repeat          bool     `json:"repeat"`
}

func parseLines(t *testing.T, out string) []verdictLine {
	t.Helper()
	var vs []verdictLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v verdictLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		vs = append(vs, v)
	}
	return vs
}

func TestCheckJSON(t *testing.T) {
	env := demoEnv(t)
	green := demo.People()[0].IIN
	out, errOut, code := run(t, env, "", "check", "--demo", "--json", green, sample(t, "pass, red"), sample(t, "pass, expired"), "\x1b[31mhi")
	if code != exitNotAdmit {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	vs := parseLines(t, out)
	want := []struct{ status, verdict, reason string }{
		{"green", "admit", ""}, {"red", "deny", "isolation"}, {"", "not_verified", "expired"}, {"", "not_verified", "unknown_format"},
	}
	for i, w := range want {
		v := vs[i]
		if v.Status != w.status || v.Verdict != w.verdict || (w.reason != "" && (len(v.Reasons) == 0 || v.Reasons[0] != w.reason)) || v.SnapshotVersion == 0 || !v.Recorded {
			t.Errorf("line %d = %+v, want %v", i, v, w)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, green) {
		t.Error("raw payload or IIN in the output")
	}
	out, _, code = run(t, env, "", "check", "--demo", green)
	if code != exitOK || !strings.Contains(out, "ADMIT") || !strings.Contains(out, "already inside") {
		t.Errorf("second entry: exit %d, %q", code, out)
	}
}

func TestCheckDryRunAndUsage(t *testing.T) {
	env := demoEnv(t)
	out, _, code := run(t, env, "", "check", "--demo", "--dry-run", "--json", demo.People()[0].IIN)
	if code != exitOK || parseLines(t, out)[0].Recorded {
		t.Fatalf("dry run: %d %q", code, out)
	}
	stats, _, _ := run(t, env, "", "stats", "--demo")
	if !strings.Contains(stats, "entries 0") {
		t.Fatalf("dry run recorded something: %s", stats)
	}
	for _, args := range [][]string{{"check", "--demo"}, {"check", "--nope"}, {"bogus"}, {"check", "--list"}, {"check", "--demo", "--config", "x.yaml", "1"}} {
		if _, _, code := run(t, env, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if _, errOut, code := run(t, map[string]string{}, "", "check", "900101400003"); code != exitUsage || !strings.Contains(errOut, "--demo") {
		t.Errorf("no config: %d %q", code, errOut)
	}
}

func TestCheckListAndUndo(t *testing.T) {
	env := demoEnv(t)
	out, _, code := run(t, env, "", "check", "--demo", "--list")
	if code != exitOK || !strings.Contains(out, "one-hour movement permit") || !strings.Contains(out, demo.People()[0].IIN) {
		t.Fatalf("list: %d %q", code, out)
	}
	run(t, env, "", "check", "--demo", demo.People()[0].IIN)
	out, _, code = run(t, env, "", "undo", "--demo")
	if code != exitOK || !strings.Contains(out, "undone") {
		t.Fatalf("undo: %d %q", code, out)
	}
	if _, _, code := run(t, env, "", "undo", "--demo"); code != exitFailure {
		t.Fatalf("second undo: exit %d", code)
	}
}

func TestSnapshotGenImportInfo(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "s.snap")
	out, errOut, code := run(t, nil, "", "snapshot", "gen", "--subjects", "5000", "--out", snap, "--seed", "7", "--delta-out", snap+".delta", "--iins", "3")
	if code != exitOK {
		t.Fatalf("gen: %d %s", code, errOut)
	}
	iins := strings.Fields(out)[len(strings.Fields(out))-3:]
	key, _ := os.ReadFile(snap + ".hubkey")
	cfg := filepath.Join(dir, "kiosk.yaml")
	os.WriteFile(cfg, []byte("kiosk: {id: k, venue: v, door: d}\nstore: {path: k.db}\nhub: {public_key: "+strings.TrimSpace(string(key))+"}\n"), 0o600)

	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", cfg, snap); code != exitOK || errOut != "" {
		t.Fatalf("import: %d, stderr %q (no progress bar off a terminal)", code, errOut)
	}
	if out, _, code := run(t, nil, "", "snapshot", "import", "--config", cfg, snap); code != exitOK || !strings.Contains(out, "already current") {
		t.Fatalf("re-import: %d %q", code, out)
	}
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", cfg, snap+".delta"); code != exitOK {
		t.Fatalf("delta: %d %s", code, errOut)
	}
	out, _, code = run(t, nil, "", "snapshot", "info", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "version     2") || !strings.Contains(out, "TOO OLD") {
		t.Fatalf("info: %d %q", code, out) // generated data is from 2026-11-01: too old by design
	}
	// Generated data is also beyond the hard data age limit (a week), so
	// it gives no colour at all, even with stale: warn.
	out, _, _ = run(t, nil, "", "check", "--config", cfg, "--json", iins[0])
	if v := parseLines(t, out)[0]; v.Status != "" || v.Verdict != "not_verified" || !slices.Equal(v.Reasons, []string{"data_too_old"}) || v.SnapshotVersion != 2 {
		t.Fatalf("generated IIN: %+v", v)
	}
	// The same data stamped now decides: the generated IIN is found and
	// has a colour.
	fresh := filepath.Join(dir, "fresh.snap")
	if _, errOut, code := run(t, nil, "", "snapshot", "gen", "--subjects", "5000", "--out", fresh, "--seed", "7", "--created", "now"); code != exitOK {
		t.Fatalf("gen --created now: %d %s", code, errOut)
	}
	freshKey, _ := os.ReadFile(fresh + ".hubkey")
	freshCfg := filepath.Join(dir, "fresh.yaml")
	os.WriteFile(freshCfg, []byte("kiosk: {id: k, venue: v, door: d}\nstore: {path: fresh.db}\nhub: {public_key: "+strings.TrimSpace(string(freshKey))+"}\n"), 0o600)
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", freshCfg, fresh); code != exitOK {
		t.Fatalf("import fresh: %d %s", code, errOut)
	}
	if out, _, code := run(t, nil, "", "snapshot", "info", "--config", freshCfg); code != exitOK || !strings.Contains(out, "fresh") {
		t.Fatalf("info fresh: %d %q", code, out)
	}
	out, _, _ = run(t, nil, "", "check", "--config", freshCfg, "--json", iins[0])
	if v := parseLines(t, out)[0]; v.Status == "" || v.Verdict == "not_verified" {
		t.Fatalf("generated IIN on fresh data: %+v", v)
	}
	if _, _, code := run(t, nil, "", "snapshot", "gen", "--out", fresh, "--created", "yesterday"); code != exitUsage {
		t.Fatalf("gen --created yesterday: exit %d, want usage", code)
	}
	// A kiosk pinned to this hub never trusts the demo: neither its data nor its passes.
	demoSnap := filepath.Join(dir, "demo.snap")
	data, _ := demo.Snapshot(time.Now())
	os.WriteFile(demoSnap, data, 0o600)
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", cfg, demoSnap); code != exitFailure || !strings.Contains(errOut, "signature") {
		t.Fatalf("demo snapshot on a real kiosk: %d %s", code, errOut)
	}
	out, _, _ = run(t, nil, "", "check", "--config", cfg, "--json", sample(t, "pass, green"))
	if v := parseLines(t, out)[0]; v.Verdict != "not_verified" || v.Reasons[0] != "unknown_issuer" {
		t.Fatalf("demo pass on a real kiosk: %+v", v)
	}
	// Issue 6, defect 5: nor a store holding the demo snapshot (copied in
	// beside the kiosk's visit file): refused at open, with both key ids.
	demoEnvVars := map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(dir, "demo.db")}
	if _, errOut, code := run(t, demoEnvVars, "", "check", "--demo", demo.People()[0].IIN); code != exitOK {
		t.Fatalf("demo check: %d %s", code, errOut)
	}
	demoSnapFile, _ := os.ReadFile(filepath.Join(dir, "demo.snapshot.db"))
	os.WriteFile(filepath.Join(dir, "k.snapshot.db"), demoSnapFile, 0o600)
	for _, args := range [][]string{
		{"check", "--config", cfg, "--json", demo.People()[0].IIN, sample(t, "pass, green")},
		{"run", "--config", cfg, "--no-tui"},
	} {
		out, errOut, code := run(t, nil, demo.People()[0].IIN+"\n", args...)
		if code != exitStore || out != "" || !strings.Contains(errOut, "signed by hub key "+wire.KeyIDOf(demo.HubPublicKey()).String()) ||
			!strings.Contains(errOut, "snapshot import") {
			t.Fatalf("%s on a store holding the demo snapshot: exit %d\n%s%s", args[0], code, out, errOut)
		}
	}
	// Importing the hub's own snapshot replaces it, whatever its version.
	if _, errOut, code := run(t, nil, "", "snapshot", "import", "--config", cfg, fresh); code != exitOK {
		t.Fatalf("import over the demo snapshot: %d %s", code, errOut)
	}
	out, _, _ = run(t, nil, "", "check", "--config", cfg, "--json", iins[0])
	if v := parseLines(t, out)[0]; v.Status == "" || v.Verdict == "not_verified" {
		t.Fatalf("generated IIN after the re-import: %+v", v)
	}
}

func TestRunHeadlessStdin(t *testing.T) {
	env := demoEnv(t)
	in := demo.People()[0].IIN + "\n" + demo.People()[3].IIN + "\n\n" + "garbage\x1b[2J\n"
	out, errOut, code := run(t, env, in, "run", "--demo", "--no-tui")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	vs := parseLines(t, out)
	if len(vs) != 3 || vs[0].Verdict != "admit" || vs[1].Verdict != "deny" || vs[2].Verdict != "not_verified" {
		t.Fatalf("%+v", vs)
	}
}

func TestRunHeadlessSerial(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skip(err)
	}
	defer m.Close()
	defer s.Close()
	vars := demoEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw, _ := os.Pipe()
	defer pr.Close()
	errb := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: errb, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, e, []string{"run", "--demo", "--no-tui", "--serial", s.Name(), "--baud", "115200"})
	}()

	// The kiosk must have the port open in raw mode before the scanner
	// sends; until then the pty's line discipline would cook the bytes.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "event=connected") {
		if time.Now().After(deadline) {
			t.Fatalf("kiosk never connected: %s", errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.Write([]byte(demo.People()[0].IIN + "\r" + demo.People()[4].IIN + "\r"))
	dec := json.NewDecoder(pr)
	var got []verdictLine
	for len(got) < 2 {
		var v verdictLine
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("read verdict: %v (stderr %s)", err, errb.String())
		}
		got = append(got, v)
	}
	if got[0].Status != "green" || got[1].Status != "yellow" {
		t.Fatalf("%+v", got)
	}
	cancel()
	if c := <-done; c != exitOK {
		t.Fatalf("exit %d: %s", c, errb.String())
	}
}

func TestSim(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skip(err)
	}
	defer m.Close()
	defer s.Close()
	if _, errOut, code := run(t, nil, "", "sim", "--port", s.Name(), "--baud", "115200", "--gap", "1", "--terminator", "crlf", "AB", "CD"); code != exitOK {
		t.Fatalf("sim: %d %s", code, errOut)
	}
	buf := make([]byte, 64)
	var got string
	for len(got) < 8 {
		n, err := m.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += string(buf[:n])
	}
	if got != "AB\r\nCD\r\n" {
		t.Fatalf("scanner sent %q", got)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestQRCommands(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "p.png")
	p := sample(t, "pass, green")
	if _, errOut, code := run(t, nil, "", "qr", "encode", "--out", png, p); code != exitOK {
		t.Fatalf("encode: %s", errOut)
	}
	out, _, code := run(t, nil, "", "qr", "decode", png)
	if code != exitOK || strings.TrimSpace(out) != p {
		t.Fatalf("decode: %d %q", code, out)
	}
	os.WriteFile(filepath.Join(dir, "blank.png"), []byte("not an image"), 0o600)
	if _, _, code := run(t, nil, "", "qr", "decode", png, filepath.Join(dir, "blank.png")); code != exitFailure {
		t.Fatalf("a file without a code must fail: %d", code)
	}
	out, _, code = run(t, nil, "", "qr", "encode", "900101400003")
	if code != exitOK || !strings.Contains(out, "█") {
		t.Fatalf("terminal QR: %q", out)
	}
}

// TestTUIInTerminal runs the default command — the demo kiosk — on a real
// pseudo-terminal, types a scan as a keyboard-wedge scanner would, and
// quits with Ctrl+Q and the demo's admin PIN, typed as a person types.
func TestTUIInTerminal(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skip(err)
	}
	defer m.Close()
	defer s.Close()
	pty.Setsize(m, &pty.Winsize{Rows: 24, Cols: 80})
	vars := demoEnv(t)
	vars["TERM"] = "xterm-256color"
	e := &env{stdin: s, stdout: s, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- Main(context.Background(), e, []string{"--demo"}) }()

	screen := &syncBuffer{}
	go io.Copy(screen, m)
	waitScreen := func(text string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(screen.String(), text) {
			if time.Now().After(deadline) {
				t.Fatalf("screen never showed %q; got %q", text, screen.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitScreen("SCAN YOUR PASS")
	m.Write([]byte(demo.People()[3].IIN + "\r"))
	waitScreen("STOP")
	waitScreen("in isolation")
	m.Write([]byte{0x03}) // Ctrl+C must not quit, and says nothing about quitting
	m.Write([]byte(demo.People()[0].IIN + "\r"))
	waitScreen("SCAN YOUR PASS")
	m.Write([]byte{0x11}) // Ctrl+Q: the kiosk is locked, the PIN dialog opens
	waitScreen("ADMIN PIN")
	for _, c := range adminpin.DemoPIN + "\r" {
		time.Sleep(150 * time.Millisecond) // slower than a scanner: typing
		m.Write([]byte(string(c)))
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("kiosk did not quit on Ctrl+Q and the demo PIN")
	}
}

// TestImportProgressOnTerminal: a progress bar on a terminal, nothing on a
// pipe.
func TestImportProgressOnTerminal(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "s.snap")
	if _, errOut, code := run(t, nil, "", "snapshot", "gen", "--subjects", "200000", "--out", snap); code != exitOK {
		t.Fatalf("gen: %s", errOut)
	}
	key, _ := os.ReadFile(snap + ".hubkey")
	cfg := filepath.Join(dir, "kiosk.yaml")
	os.WriteFile(cfg, []byte("kiosk: {id: k, venue: v, door: d}\nstore: {path: k.db}\nhub: {public_key: "+strings.TrimSpace(string(key))+"}\n"), 0o600)

	m, s, err := pty.Open()
	if err != nil {
		t.Skip(err)
	}
	defer m.Close()
	screen := &syncBuffer{}
	go io.Copy(screen, m)
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: s, getenv: func(string) string { return "" }}
	if code := Main(context.Background(), e, []string{"snapshot", "import", "--config", cfg, snap}); code != exitOK {
		t.Fatalf("import: exit %d", code)
	}
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(screen.String(), "200000/200000 entries") {
		if time.Now().After(deadline) {
			t.Fatalf("no progress bar on the terminal: %q", screen.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(screen.String(), "left") || !strings.Contains(screen.String(), "MB") {
		t.Fatalf("progress bar lacks rate or time left: %q", screen.String())
	}
	if !strings.Contains(out.String(), "imported full snapshot version 1 (200000 records)") {
		t.Fatalf("stdout %q", out.String())
	}
}

func TestWedgeDisabledTypesEverythingByHand(t *testing.T) {
	a := wedge.New(wedgeOptions(config.Wedge{Enabled: false}, nil))
	now := time.Now()
	var outs []wedge.Output
	for _, r := range "900101400003" {
		outs = append(outs, a.Feed(wedge.Key{Rune: r}, now)...)
		now = now.Add(time.Millisecond) // as fast as any scanner
	}
	outs = append(outs, a.Feed(wedge.Key{Special: wedge.Enter}, now)...)
	last := outs[len(outs)-1]
	if last.Kind != wedge.OutputPayload || last.Source != "manual" || last.Text != "900101400003" {
		t.Fatalf("last output %+v", last)
	}
}
