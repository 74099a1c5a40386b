package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestProvisionByScan: a fresh kiosk is provisioned against a real hub by
// scanning the enrollment code, through a pty standing in for a serial
// scanner (a visitor's code scanned first is refused and not echoed) and
// through the terminal as a keyboard-wedge scanner types it.
func TestProvisionByScan(t *testing.T) {
	h := newTestHub(t)
	h.importIINs(syncIINs(3), func(int) string { return "green" })
	h.serve()

	t.Run("serial", func(t *testing.T) {
		m, s, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminals here: %v", err)
		}
		defer m.Close()
		defer s.Close()
		code := h.enroll("cinema-9", "east")
		dir := t.TempDir()
		cfg := filepath.Join(dir, "kiosk.yaml")
		go func() {
			time.Sleep(300 * time.Millisecond)
			m.Write([]byte("SECRET-VISITOR-PASS\r"))
			time.Sleep(100 * time.Millisecond)
			m.Write([]byte(code + "\r"))
		}()
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		rc := Main(context.Background(), e, []string{"provision", "--scan", "--serial", s.Name(), "--scan-timeout", "20s",
			"--config", cfg, "--store", filepath.Join(dir, "k.db"), "--quiet"})
		if rc != exitOK || !strings.Contains(out.String(), "venue cinema-9, door east") {
			t.Fatalf("exit %d\n%s%s", rc, out.String(), errb.String())
		}
		if !strings.Contains(errb.String(), "not an enrollment code") || strings.Contains(errb.String()+out.String(), "SECRET-VISITOR-PASS") {
			t.Errorf("the stray scan: %s", errb.String())
		}
		if _, err := os.Stat(filepath.Join(dir, credentialFileName)); err != nil {
			t.Error(err)
		}
	})
	t.Run("wedge", func(t *testing.T) {
		code := h.enroll("cinema-9", "west")
		dir := t.TempDir()
		out, errs, rc := run(t, map[string]string{}, "not a code\n"+code+"\n", "provision", "--scan", "--config", filepath.Join(dir, "kiosk.yaml"),
			"--store", filepath.Join(dir, "k.db"), "--quiet")
		if rc != exitOK || !strings.Contains(out, "door west") {
			t.Fatalf("exit %d\n%s%s", rc, out, errs)
		}
	})
	t.Run("nothing scanned", func(t *testing.T) {
		dir := t.TempDir()
		_, errs, rc := run(t, map[string]string{}, "", "provision", "--scan", "--scan-timeout", "1s", "--config", filepath.Join(dir, "kiosk.yaml"))
		if rc != exitFailure || !strings.Contains(errs, "read the enrollment code") && !strings.Contains(errs, "no enrollment code scanned") {
			t.Errorf("exit %d: %s", rc, errs)
		}
		if fileExists(filepath.Join(dir, "kiosk.yaml")) {
			t.Error("a config was written without a code")
		}
	})
	if _, errs, rc := run(t, map[string]string{}, "", "provision", "--scan", "--code", "DCE1:x"); rc != exitUsage || !strings.Contains(errs, "exclude") {
		t.Errorf("--scan with --code: %d %s", rc, errs)
	}
}

// TestDoctorTestScan: doctor --scan reads one code through the pty
// scanner and reports its length, never the code.
func TestDoctorTestScan(t *testing.T) {
	k := newDoctorKiosk(t)
	m, port := fakeScannerPort(t)
	k.withPort(t, port)
	go func() {
		time.Sleep(300 * time.Millisecond)
		m.Write([]byte("PAYLOAD-123\r"))
	}()
	checks, code, out := k.doctor(t, "--scan", "--scan-timeout", "10s")
	if code != exitOK || strings.Contains(out, "PAYLOAD-123") {
		t.Errorf("exit %d\n%s", code, out)
	}
	want(t, checks, "scanner.scan", statusOK, "11 bytes")
	k2 := newDoctorKiosk(t)
	_, port2 := fakeScannerPort(t)
	k2.withPort(t, port2)
	checks, code, _ = k2.doctor(t, "--scan", "--scan-timeout", "500ms")
	if code != exitFailure {
		t.Errorf("no scan: exit %d", code)
	}
	want(t, checks, "scanner.scan", statusFail, "no scan within")
}
