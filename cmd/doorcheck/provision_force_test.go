package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/config"
)

// serveAt starts `doorcheck-hub serve` again at addr (host:port), the
// address the kiosk's config names, as a hub back after an outage is.
func (h *testHub) serveAt(addr string) *exec.Cmd {
	h.t.Helper()
	cmd := exec.Command(h.bin, "serve", "--data", h.data, "--addr", addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		h.t.Fatalf("hub did not start at %s: %v", addr, err)
	}
	go io.Copy(io.Discard, stdout)
	h.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestProvisionForceUploadsUnsentFirst: `provision --force` on a kiosk
// with unsent visits, between real processes on loopback. With the hub
// down it refuses with the count and what to do, and changes nothing (the
// config, the credential and the new code all stay as they were); with
// the hub back it uploads the visits under the old identity and only then
// switches, so the hub counts each once and the new kiosk starts empty.
func TestProvisionForceUploadsUnsentFirst(t *testing.T) {
	h := newTestHub(t)
	iins := syncIINs(3)
	h.importIINs(iins, func(int) string { return "green" })
	hubProc := h.serve()
	first := h.enroll("cinema-7", "north")

	dir := t.TempDir()
	cfg := filepath.Join(dir, "etc", "kiosk.yaml")
	db := filepath.Join(dir, "var", "doorcheck.db")
	vars := map[string]string{}
	if out, errs, rc := run(t, vars, "", "provision", "--config", cfg, "--code", first, "--store", db); rc != 0 {
		t.Fatalf("provision: %d\n%s%s", rc, out, errs)
	}
	oldCfg, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	oldCred, err := os.ReadFile(filepath.Join(dir, "etc", credentialFileName))
	if err != nil {
		t.Fatal(err)
	}
	run(t, vars, "", append([]string{"check", "--config", cfg}, iins...)...)
	second := h.enroll("cinema-7", "south")

	// The hub is down: refused with the count, nothing changed.
	addr := strings.TrimPrefix(h.url, "http://")
	hubProc.Process.Kill()
	hubProc.Wait()
	out, errs, rc := run(t, vars, "", "provision", "--config", cfg, "--code", second, "--force", "--upload-timeout", "5s")
	if rc == 0 || !strings.Contains(errs, "3 visits are not yet uploaded") || !strings.Contains(errs, "doorcheck sync --once") ||
		!strings.Contains(errs, "never discards") {
		t.Fatalf("provision --force with the hub down: %d\n%s%s", rc, out, errs)
	}
	if now, _ := os.ReadFile(cfg); string(now) != string(oldCfg) {
		t.Fatal("a refused provision changed the config")
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "etc", credentialFileName)); string(now) != string(oldCred) {
		t.Fatal("a refused provision changed the credential")
	}

	// The hub is back at the same address: upload first, then switch.
	h.serveAt(addr)
	out, errs, rc = run(t, vars, "", "provision", "--config", cfg, "--code", second, "--force", "--upload-timeout", "30s")
	if rc != 0 || !strings.Contains(out, "uploading 3 unsent visits") || !strings.Contains(out, "uploaded: 3 new, 0 duplicate") ||
		!strings.Contains(out, "door south") {
		t.Fatalf("provision --force with the hub up: %d\n%s%s", rc, out, errs)
	}
	if n := h.visitsToday("cinema-7"); n != 3 {
		t.Fatalf("hub counts %d visits, want 3", n)
	}
	c, err := config.Load(cfg)
	if err != nil || c.Kiosk.Door != "south" || c.Store.Path != db {
		t.Fatalf("new config: %+v %v", c, err)
	}
	out, errs, rc = run(t, vars, "", "sync", "--config", cfg, "--once")
	if rc != 0 || !strings.Contains(out, "uploaded: 0 new, 0 duplicate, 0 refused; 0 pending") {
		t.Fatalf("sync as the new kiosk: %d\n%s%s", rc, out, errs)
	}
}
