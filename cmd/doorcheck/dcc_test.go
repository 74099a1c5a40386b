package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dccCases is the shared copy of the EU DCC test cases.
const dccCases = "../../../shared/testdata/dcc"

// TestDCCTestCommand: one JSON object per case with the file and the
// computed checks, and the output is the same when the case's expected
// results are flipped: the runner never reads them to decide.
func TestDCCTestCommand(t *testing.T) {
	cases := []string{"DE/2DCode/raw/1.json", "common/2DCode/raw/CO1.json", "IS/2DCode/raw/3.json"}
	dir := t.TempDir()
	var orig, flipped []string
	for i, c := range cases {
		src := filepath.Join(dccCases, c)
		b, err := os.ReadFile(src)
		if err != nil {
			t.Skipf("shared cases: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		exp, _ := m["EXPECTEDRESULTS"].(map[string]any)
		for k, v := range exp {
			if bv, ok := v.(bool); ok {
				exp[k] = !bv
			}
		}
		fb, _ := json.Marshal(m)
		a, f := filepath.Join(dir, "a"+string(rune('0'+i))+".json"), filepath.Join(dir, "f"+string(rune('0'+i))+".json")
		os.WriteFile(a, b, 0o600)
		os.WriteFile(f, fb, 0o600)
		orig, flipped = append(orig, a), append(flipped, f)
	}
	out1, stderr, code := run(t, map[string]string{}, "", append([]string{"dcc", "test", "--json"}, orig...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out2, _, _ := run(t, map[string]string{}, "", append([]string{"dcc", "test", "--json"}, flipped...)...)
	lines1, lines2 := strings.Split(strings.TrimSpace(out1), "\n"), strings.Split(strings.TrimSpace(out2), "\n")
	if len(lines1) != len(cases) || len(lines2) != len(cases) {
		t.Fatalf("want %d lines:\n%s", len(cases), out1)
	}
	for i := range lines1 {
		var a, b map[string]any
		if err := json.Unmarshal([]byte(lines1[i]), &a); err != nil {
			t.Fatalf("line %q: %v", lines1[i], err)
		}
		json.Unmarshal([]byte(lines2[i]), &b)
		if a["file"] != orig[i] {
			t.Errorf("file %v, want %s", a["file"], orig[i])
		}
		delete(a, "file")
		delete(b, "file")
		if len(a) == 0 {
			t.Errorf("%s: no checks computed", cases[i])
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s: output depends on EXPECTEDRESULTS:\n%s\n%s", cases[i], ja, jb)
		}
	}
	if !strings.Contains(lines1[0], `"EXPECTEDVERIFY":true`) || !strings.Contains(lines1[2], `"EXPECTEDKEYUSAGE":false`) {
		t.Errorf("unexpected results:\n%s", out1)
	}

	text, _, code := run(t, map[string]string{}, "", "dcc", "test", orig[0])
	if code != exitOK || !strings.Contains(text, "VERIFY=true") {
		t.Errorf("text output (exit %d):\n%s", code, text)
	}
	if _, _, code := run(t, map[string]string{}, "", "dcc", "test", filepath.Join(dir, "missing.json")); code != exitFailure {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}
