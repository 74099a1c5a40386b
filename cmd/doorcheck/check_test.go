package main

import (
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/demo"
)

type reasonsLine struct {
	Verdict  string   `json:"verdict"`
	Reasons  []string `json:"reasons"`
	Warnings []string `json:"warnings"`
}

// TestReentryIsAWarningNotAReason: an admitted re-entry lists reentry
// under warnings only, so a script treating any reason as a denial reads
// it right; a denial still has its reason under reasons; the human line
// still says "already inside".
func TestReentryIsAWarningNotAReason(t *testing.T) {
	env := demoEnv(t)
	green, red := demo.People()[0].IIN, demo.People()[3].IIN
	run(t, env, "", "check", "--demo", green)
	out, errOut, code := run(t, env, "", "check", "--demo", "--json", green, red)
	if code != exitNotAdmit {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := decodeLines[reasonsLine](t, out)
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), out)
	}
	re, deny := lines[0], lines[1]
	if re.Verdict != "admit" || re.Reasons == nil || len(re.Reasons) != 0 || len(re.Warnings) != 1 || re.Warnings[0] != "reentry" {
		t.Errorf("re-entry: %+v, want admit with reasons [] and warnings [reentry]", re)
	}
	if deny.Verdict != "deny" || len(deny.Reasons) != 1 || deny.Reasons[0] != "isolation" || len(deny.Warnings) != 0 {
		t.Errorf("red: %+v, want deny with reasons [isolation]", deny)
	}
	if out, _, _ := run(t, env, "", "check", "--demo", green); !strings.Contains(out, "already inside") {
		t.Errorf("human line lost the warning: %q", out)
	}
}

// TestCheckRefusesEmptyPayload: an empty (or blank) argument is a usage
// error, and nothing at all is recorded — not even the good payloads
// beside it.
func TestCheckRefusesEmptyPayload(t *testing.T) {
	env := demoEnv(t)
	green := demo.People()[0].IIN
	for _, args := range [][]string{{""}, {"  "}, {green, ""}, {"\t", green}} {
		_, errOut, code := run(t, env, "", append([]string{"check", "--demo", "--json"}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "empty") {
			t.Errorf("check %q: exit %d, stderr %q; want %d", args, code, errOut, exitUsage)
		}
	}
	stats, errOut, code := run(t, env, "", "stats", "--demo")
	if code != exitOK || !strings.Contains(stats, "entries 0,") || !strings.Contains(stats, "not verified 0,") {
		t.Fatalf("something was recorded: exit %d %q %s", code, stats, errOut)
	}
}
