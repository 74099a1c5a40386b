package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestDCCDemoCheck: check --demo --list offers the demo DCCs, and
// check --demo --json decides each through the kiosk's normal path: the
// vaccination green with an end time, the expired test and the forgery
// NOT VERIFIED with their reasons.
func TestDCCDemoCheck(t *testing.T) {
	env := map[string]string{"DOORCHECK_DEMO_DB": filepath.Join(t.TempDir(), "demo.db")}
	out, stderr, code := run(t, env, "", "check", "--demo", "--list", "--json")
	if code != exitOK {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	want := map[string]string{
		"EU COVID certificate, vaccinated":         "admit",
		"EU COVID certificate, expired rapid test": "dcc_expired",
		"EU COVID certificate, forged signature":   "dcc_bad_signature",
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var s struct{ Label, Payload string }
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatal(err)
		}
		w, ok := want[s.Label]
		if !ok {
			continue
		}
		seen++
		vout, _, _ := run(t, env, "", "check", "--demo", "--json", s.Payload)
		var v struct {
			Verdict, Kind, Status string
			Reasons               []string
			StatusUntil           string `json:"status_until"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(vout)), &v); err != nil {
			t.Fatalf("%s: %v in %q", s.Label, err, vout)
		}
		got := v.Verdict
		if len(v.Reasons) > 0 {
			got = v.Reasons[0]
		}
		if v.Kind != "dcc" || got != w || (w == "admit" && (v.Status != "green" || v.StatusUntil == "")) {
			t.Errorf("%s: %s", s.Label, vout)
		}
	}
	if seen != len(want) {
		t.Errorf("%d demo DCCs listed, want %d", seen, len(want))
	}
}
