package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/config"
)

// withLog appends a log section to the doctor kiosk's config.
func (k *doctorKiosk) withLog(t *testing.T, section string) {
	t.Helper()
	f, err := os.OpenFile(k.cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(section + "\n")
	f.Close()
}

// TestLogLevelFiltering: log.level warn keeps debug and info out of
// log.file; debug lets the per-verdict line in. The headless verdicts
// on stdout are the same either way.
func TestLogLevelFiltering(t *testing.T) {
	for _, level := range []string{"warn", "debug"} {
		t.Run(level, func(t *testing.T) {
			k := newDoctorKiosk(t)
			logFile := filepath.Join(k.dir, "kiosk.log")
			k.withLog(t, "log: {file: kiosk.log, level: "+level+", max_size: 64kB}")
			out, errOut, code := run(t, nil, "000000000000\n", "run", "--no-tui", "--config", k.cfg)
			if code != exitOK && code != exitNotAdmit || strings.Count(out, "\n") != 1 {
				t.Fatalf("run: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if errOut != "" {
				t.Errorf("with log.file set, stderr got %q", errOut)
			}
			b, err := os.ReadFile(logFile)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			hasVerdict := strings.Contains(string(b), "msg=verdict")
			if hasVerdict != (level == "debug") {
				t.Errorf("level %s: log file %q", level, b)
			}
			if level == "debug" && !strings.Contains(string(b), "level=DEBUG") {
				t.Errorf("debug line without its level: %q", b)
			}
			cfg, _ := config.Load(k.cfg)
			log, closeLog := kioskLog(&env{stderr: new(bytes.Buffer)}, cfg, true, "")
			log.Info("an info line")
			log.Warn("a warn line")
			log.Error("an error line")
			closeLog()
			b, _ = os.ReadFile(logFile)
			if strings.Contains(string(b), "an info line") != (level == "debug") || !strings.Contains(string(b), "a warn line") || !strings.Contains(string(b), "an error line") {
				t.Errorf("level %s: %q", level, b)
			}
		})
	}
}

// TestTUILogNeverOnTerminal: with no log.file the TUI logs to the
// journal's socket, or without one to doorcheck.log beside the store —
// never to the terminal (stderr). Headless logs to stderr.
func TestTUILogNeverOnTerminal(t *testing.T) {
	k := newDoctorKiosk(t)
	cfg, err := config.Load(k.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var term bytes.Buffer
	e := &env{stderr: &term}
	log, closeLog := kioskLog(e, cfg, false, filepath.Join(k.dir, "no-journal"))
	log.Warn("to the fallback file")
	closeLog()
	if b, _ := os.ReadFile(filepath.Join(k.dir, fallbackLogName)); !strings.Contains(string(b), "to the fallback file") {
		t.Errorf("fallback file: %q", b)
	}

	sock := filepath.Join(k.dir, "journal.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	log, closeLog = kioskLog(e, cfg, false, sock)
	log.Warn("to the journal", "err", "\x1b[31mred")
	closeLog()
	buf := make([]byte, 2048)
	n, err := ln.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "MESSAGE=level=WARN msg=\"to the journal\"") || bytes.Contains(buf[:n], []byte("\x1b")) {
		t.Errorf("journal got %q, %v", buf[:n], err)
	}
	if term.Len() != 0 {
		t.Errorf("the TUI's log reached the terminal: %q", term.String())
	}

	log, closeLog = kioskLog(e, cfg, true, sock)
	log.Info("headless")
	closeLog()
	if !strings.Contains(term.String(), "msg=headless") {
		t.Errorf("headless stderr: %q", term.String())
	}
}

// TestLogHostileScan: a scan carrying escape sequences, a bidi override
// and an IIN is logged (debug: its verdict) with neither the payload nor
// any escape byte in the log file.
func TestLogHostileScan(t *testing.T) {
	k := newDoctorKiosk(t)
	logFile := filepath.Join(k.dir, "kiosk.log")
	k.withLog(t, "log: {file: kiosk.log, level: debug}")
	payloads := []string{
		"\x1b]0;owned\x07\x1b[2J870412300123\u202e",
		"DCP1:\x1b[31m" + strings.Repeat("A", 300) + "\x9b2J",
		"870412300123",
	}
	out, errOut, _ := run(t, nil, strings.Join(payloads, "\n")+"\n", "run", "--no-tui", "--config", k.cfg)
	if strings.Count(out, "\n") != len(payloads) {
		t.Fatalf("want %d verdicts, got %q (stderr %q)", len(payloads), out, errOut)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if strings.Count(log, "msg=verdict") != len(payloads) {
		t.Fatalf("want a verdict line per scan:\n%s", log)
	}
	for _, bad := range []string{"\x1b", "\x07", "\x9b", "\u202e", "870412300123", "owned", "AAAAAAAAAA"} {
		if strings.Contains(log, bad) {
			t.Errorf("log holds %q:\n%s", bad, log)
		}
	}
}
