package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// assertTerminalSafe fails when out holds anything that could drive a
// terminal or hide text: ESC and the other C0 controls but newline and
// tab, DEL, C1 controls, bidi and other format characters, invalid UTF-8.
// It is deliberately independent of the sanitizer it checks.
func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		bad := false
		switch {
		case r == utf8.RuneError:
			_, size := utf8.DecodeRuneInString(out[i:])
			bad = size == 1
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f:
			bad = true
		case r >= 0x80 && r <= 0x9f:
			bad = true
		case unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029:
			bad = true
		}
		if bad {
			lo, hi := max(0, i-20), min(len(out), i+20)
			t.Fatalf("%s: raw %U at byte %d: %q", what, r, i, out[lo:hi])
		}
	}
}

// decodeLines parses out as JSON lines of T; every line must parse.
func decodeLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var vs []T
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		vs = append(vs, v)
	}
	return vs
}
