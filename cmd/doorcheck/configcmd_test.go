package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestProfilesPassCheck: every example config in configs/ passes
// `config check`, and there are the profiles the README lists.
func TestProfilesPassCheck(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
		stdout, stderr, code := run(t, map[string]string{}, "", "config", "check", "--config", f)
		if code != exitOK || !strings.HasSuffix(stdout, ": ok\n") || stderr != "" {
			t.Errorf("%s: exit %d\n%s%s", f, code, stdout, stderr)
		}
	}
	for _, want := range []string{"kiosk.example.yaml", "entrance.yaml", "handheld.yaml", "test-required.yaml", "exit.yaml", "checkpoint.yaml", "cinema.yaml"} {
		if !slices.Contains(names, want) {
			t.Errorf("configs/%s missing", want)
		}
	}
}

// TestProfilesDecide checks each profile does what its name says.
func TestProfilesDecide(t *testing.T) {
	load := func(name string) *config.Config {
		c, err := config.Load("../../configs/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	loc, _ := time.LoadLocation("Asia/Almaty")
	saturday := time.Date(2026, 12, 5, 20, 0, 0, 0, loc)
	tuesday := time.Date(2026, 12, 1, 20, 0, 0, 0, loc)
	tests := []struct {
		file   string
		now    time.Time
		status wire.Status
		admit  bool
		deny   reason.Code
	}{
		{"entrance.yaml", tuesday, wire.Blue, true, ""},
		{"test-required.yaml", tuesday, wire.Blue, false, reason.TestRequired},
		{"test-required.yaml", tuesday, wire.Green, true, ""},
		{"cinema.yaml", tuesday, wire.Blue, true, ""},
		{"cinema.yaml", saturday, wire.Blue, false, reason.Schedule},
		{"cinema.yaml", saturday, wire.Green, true, ""},
		{"exit.yaml", tuesday, wire.Red, true, ""},
		{"checkpoint.yaml", tuesday, wire.Green, true, ""},
	}
	for _, tt := range tests {
		c := load(tt.file)
		r, err := c.Rules()
		if err != nil {
			t.Fatal(err)
		}
		d := policy.Decide(r, policy.Input{Now: tt.now, Direction: c.Kiosk.Direction, Status: tt.status})
		if d.Admit != tt.admit || (tt.deny != "" && !slices.Contains(d.Deny, tt.deny)) {
			t.Errorf("%s %v %v: %+v, want admit %v deny %s", tt.file, tt.now.Weekday(), tt.status, d, tt.admit, tt.deny)
		}
	}
	if c := load("handheld.yaml"); c.Scanner.Wedge.Enabled || c.Scanner.Serial.Port == "" {
		t.Errorf("handheld: wedge %v, port %q", c.Scanner.Wedge.Enabled, c.Scanner.Serial.Port)
	}
	if c := load("entrance.yaml"); !c.Scanner.Wedge.Enabled || c.Scanner.Serial.Port != "" {
		t.Errorf("entrance: wedge %v, port %q", c.Scanner.Wedge.Enabled, c.Scanner.Serial.Port)
	}
}

// TestConfigCheckListsEveryProblem: a broken file exits 1 and lists each
// problem as FILE:LINE: field: problem, in text and in JSON.
func TestConfigCheckListsEveryProblem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kiosk.yaml")
	os.WriteFile(file, []byte("kiosk:\n  venue: v\n  door: d\npolicy:\n  reentry: maybe\n  max_agee: 1h\n  debounce: 5m\nhub: {public_key: short}\n"), 0o600)
	stdout, _, code := run(t, map[string]string{}, "", "config", "check", "--config", file)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{
		file + ":6: policy.max_agee: unknown field \"max_agee\"",
		file + ":1: kiosk.id: is required",
		file + ":5: policy.reentry: want warn or deny",
		file + ":7: policy.debounce: at most 1m0s",
		file + ":8: hub.public_key: want 32 bytes",
		file + ": 5 problems",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, code = run(t, map[string]string{}, "", "config", "check", "--json", "--config", file)
	var got struct {
		OK       bool
		Problems []configProblem
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != exitFailure || got.OK || len(got.Problems) != 5 || got.Problems[0].Line != 6 {
		t.Errorf("json: exit %d %v %+v\n%s", code, err, got, stdout)
	}
	// A missing file and a file that is not YAML are problems too.
	for _, body := range []string{"", "kiosk: {id: k\n"} {
		f := filepath.Join(t.TempDir(), "k.yaml")
		if body != "" {
			os.WriteFile(f, []byte(body), 0o600)
		}
		stdout, _, code := run(t, map[string]string{}, "", "config", "check", "--config", f)
		if code != exitFailure || !strings.Contains(stdout, "1 problem\n") {
			t.Errorf("%q: exit %d\n%s", body, code, stdout)
		}
	}
}

// TestApplianceFiles: the units restart the kiosk and run the TUI on
// tty1, the udev rule keeps ModemManager off scanners and names them, and
// the journal is size-bounded.
func TestApplianceFiles(t *testing.T) {
	tests := []struct {
		file  string
		wants []string
	}{
		{"doorcheck.service", []string{"ExecStart=/usr/bin/doorcheck tui --config /etc/doorcheck/kiosk.yaml", "TTYPath=/dev/tty1", "Conflicts=getty@tty1.service", "Restart=always", "StartLimitIntervalSec=0", "SupplementaryGroups=dialout", "WantedBy=multi-user.target"}},
		{"doorcheck-headless.service", []string{"run --no-tui", "Restart=always", "SupplementaryGroups=dialout"}},
		{"doorcheck-hub.service", []string{"ExecStart=/usr/bin/doorcheck-hub serve --data", "Restart=always", "TimeoutStopSec="}},
		{"99-doorcheck-scanner.rules", []string{`ENV{ID_MM_DEVICE_IGNORE}="1"`, `SYMLINK+="doorcheck-scanner"`, `GROUP="dialout"`, `MODE="0660"`}},
		{"journald-doorcheck.conf", []string{"SystemMaxUse="}},
	}
	for _, tt := range tests {
		b, err := os.ReadFile("../../configs/" + tt.file)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, w := range tt.wants {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %s", tt.file, w)
			}
		}
	}
}
