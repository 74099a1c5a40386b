package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestFirstStartProvisionsOnScreen: `doorcheck tui --config FILE` with no
// FILE runs the demo and offers provisioning on its idle screen; the
// enrollment code from a real `doorcheck-hub enroll`, typed by a
// keyboard-wedge scanner, opens the confirmation (hub URL and key
// fingerprint) instead of a verdict; Enter provisions the kiosk against
// the real hub on loopback, and the same process switches from the demo
// to the real kiosk: a pass scanned next is decided from the hub's
// snapshot and its visit reaches the hub. A visitor's pass scanned on the
// demo before is checked by the demo as before.
func TestFirstStartProvisionsOnScreen(t *testing.T) {
	h := newTestHub(t)
	iins := syncIINs(3)
	h.importIINs(iins, func(int) string { return "green" })
	h.serve()
	code := h.enroll("cinema-9", "north")

	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer m.Close()
	defer s.Close()
	pty.Setsize(m, &pty.Winsize{Rows: 40, Cols: 160})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kiosk.yaml")
	vars := demoEnv(t)
	vars["TERM"] = "xterm-256color"
	e := &env{stdin: s, stdout: s, stderr: s, getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- Main(ctx, e, []string{"tui", "--config", cfg}) }()

	screen := &syncBuffer{}
	go io.Copy(screen, m)
	from := 0 // waitScreen looks at what came after the last text it found
	seen := func(wait time.Duration, texts ...string) (bool, string) {
		deadline := time.Now().Add(wait)
		for {
			out := screen.String()[from:]
			all := true
			for _, text := range texts {
				all = all && strings.Contains(out, text)
			}
			if all {
				from += len(out)
				return true, out
			}
			if time.Now().After(deadline) {
				return false, out
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitScreen := func(texts ...string) {
		t.Helper()
		if ok, out := seen(20*time.Second, texts...); !ok {
			t.Fatalf("screen never showed %q; got %q", texts, out)
		}
	}
	waitScreen("DEMO", "To set up this kiosk, scan the enrollment code from doorcheck-hub enroll")
	if fileExists(cfg) {
		t.Fatal("a config before any code")
	}

	// The scanner types the code as one burst. On a loaded machine the
	// screen may see a gap inside it and take the start for typing (the
	// manual field refuses it): Esc clears the field, and the guard
	// scans again, as at a real kiosk.
	for try := 1; ; try++ {
		m.Write([]byte(code + "\r"))
		if ok, out := seen(5*time.Second, "SET UP THIS KIOSK?", h.url, "sha256:"); ok {
			break
		} else if try == 5 {
			t.Fatalf("no confirmation after %d scans of the code; got %q", try, out)
		}
		m.Write([]byte{0x1b})
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(time.Second) // a person reads, then presses Enter
	m.Write([]byte("\r"))
	// The real kiosk: the demo banner gone, venue and door from the hub.
	waitScreen("cinema-9 · north", "SCAN YOUR PASS")
	if !fileExists(cfg) {
		t.Fatal("no config written")
	}
	if st, err := os.Stat(filepath.Join(dir, credentialFileName)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credential: %v %v", st, err)
	}
	b, _ := os.ReadFile(cfg)
	if strings.Contains(string(b), "DCE1:") {
		t.Error("the enrollment code is in the config")
	}

	m.Write([]byte(iins[0] + "\r"))
	waitScreen("ENTER")
	deadline := time.Now().Add(30 * time.Second)
	for h.visitsToday("cinema-9") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the visit never reached the hub (%d)", h.visitsToday("cinema-9"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !fileExists(filepath.Join(dir, "doorcheck.db")) {
		t.Error("the store is not beside the config")
	}
	cancel()
	select {
	case rc := <-done:
		if rc != exitOK {
			t.Errorf("exit %d", rc)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the kiosk did not stop")
	}
}

// TestFirstStartOnlyWithoutConfig: the offer is for a TUI with no config
// file; --demo asked for explicitly, an existing config, and the other
// commands get none.
func TestFirstStartOnlyWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "kiosk.yaml")
	e := &env{getenv: func(string) string { return "" }}
	kf := kioskFlags{config: missing}
	f := firstStartOf(e, "tui", &kf)
	if f == nil || !kf.demo || kf.config != "" || f.cfgPath != missing || f.storePath != filepath.Join(dir, "doorcheck.db") {
		t.Fatalf("missing config: %+v %+v", f, kf)
	}
	if f := firstStartOf(e, "tui", &kioskFlags{demo: true}); f != nil {
		t.Error("--demo offers provisioning")
	}
	if f := firstStartOf(e, "run", &kioskFlags{config: missing}); f != nil {
		t.Error("run offers provisioning")
	}
	// A provisioned kiosk that lost its config is not a fresh one: no demo.
	os.WriteFile(filepath.Join(dir, "doorcheck.db"), nil, 0o600)
	if f := firstStartOf(e, "tui", &kioskFlags{config: missing}); f != nil {
		t.Error("a kiosk with a store but no config offers provisioning (and runs the demo)")
	}
	os.Remove(filepath.Join(dir, "doorcheck.db"))
	os.WriteFile(missing, []byte("kiosk: {}\n"), 0o600)
	if f := firstStartOf(e, "tui", &kioskFlags{config: missing}); f != nil {
		t.Error("an existing config offers provisioning")
	}
	if _, ok := parseEnrollment("870412300123"); ok {
		t.Error("an IIN is an enrollment code")
	}
}
