package main

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// The raw-output check: what a command writes to its standard output and
// standard error must never act on a terminal or hide or reorder text,
// whatever the input was. It is the sanitizer's promise (scanner/sanitize,
// EscapeLimit) read from the outside, byte by byte, so it holds for every
// path from an input to a stream, not only the ones that call Escape.

// rawFinding is one byte sequence in an output that a terminal would act on.
type rawFinding struct {
	offset int
	class  string
	bytes  []byte
}

func (f rawFinding) String() string {
	return fmt.Sprintf("%s %q at byte %d", f.class, f.bytes, f.offset)
}

// rawClass names what r would do on a terminal, or "" when it is plain
// printable text. The decision is sanitize.Unsafe's, the one list of runes
// the sanitizer defuses, joined with this file's own reading of the
// classes sanitize.EscapeLimit documents; TestRawClassAgreesWithSanitize
// proves the two lists are the same, so neither can drift alone.
func rawClass(r rune) string {
	if c := documentedClass(r); c != "" {
		return c
	}
	if sanitize.Unsafe(r) {
		return "rune the sanitizer defuses"
	}
	return ""
}

// documentedClass is the classes of sanitize.EscapeLimit's documentation,
// written independently of its code.
func documentedClass(r rune) string {
	switch {
	case r == 0x1b:
		return "ESC"
	case r < 0x20:
		return "C0 control"
	case r == 0x7f:
		return "DEL"
	case r >= 0x80 && r <= 0x9f:
		return "C1 control"
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return "bidi control"
	case r == 0x2028 || r == 0x2029:
		return "line or paragraph separator"
	case r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0:
		return "invisible Hangul filler"
	case unicode.Is(unicode.Cf, r):
		return "invisible format character"
	case unicode.Is(unicode.Co, r):
		return "private-use character"
	}
	return ""
}

// findRaw returns up to max findings in out. allowC0 lists the C0 controls
// the command itself writes (its own newlines, a table's tabs).
func findRaw(out []byte, allowC0 string, max int) []rawFinding {
	var found []rawFinding
	for i := 0; i < len(out) && len(found) < max; {
		r, size := utf8.DecodeRune(out[i:])
		class := ""
		switch {
		case r == utf8.RuneError && size <= 1:
			class = "invalid UTF-8"
			if out[i] >= 0x80 && out[i] <= 0x9f {
				class = "raw C1 byte (invalid UTF-8)"
			}
		case r < 0x20 && strings.ContainsRune(allowC0, r):
		default:
			class = rawClass(r)
		}
		if class != "" {
			found = append(found, rawFinding{offset: i, class: class, bytes: out[i : i+max1(size)]})
		}
		i += max1(size)
	}
	return found
}

func max1(n int) int { return max(n, 1) }

// assertNoRaw fails the test for every finding in out (up to a few).
func assertNoRaw(t *testing.T, what string, out []byte, allowC0 string) {
	t.Helper()
	for _, f := range findRaw(out, allowC0, 2) {
		lo, hi := max(0, f.offset-40), min(len(out), f.offset+40)
		t.Errorf("%s: raw %s; around it: %q", what, f, out[lo:hi])
	}
}

// assertChildNoRaw checks both streams of a child.
func assertChildNoRaw(t *testing.T, what string, r childResult) {
	t.Helper()
	assertNoRaw(t, what+" stdout", r.stdout, "\n")
	assertNoRaw(t, what+" stderr", r.stderr, "\n\t") // the flag package's usage text indents with tabs
}

// hostileInput is one attack payload.
type hostileInput struct {
	name    string
	payload string
	// benign marks a payload with nothing a terminal acts on: it attacks
	// the bounds (a 100 KB line), not the screen.
	benign bool
}

// hostileCorpus is what every input path is fed: escape sequences in both
// 7-bit and 8-bit form, bidi and invisible characters, controls, invalid
// UTF-8, unbounded lines, and payloads that start like real ones.
func hostileCorpus() []hostileInput {
	iin := demo.People()[0].IIN
	return []hostileInput{
		{name: "OSC title with BEL", payload: "\x1b]0;pwned\x07"},
		{name: "clear screen", payload: "\x1b[2J\x1b[H"},
		{name: "SGR colour", payload: "\x1b[42mADMIT\x1b[0m"},
		{name: "8-bit CSI as UTF-8", payload: "\u009b2J"},
		{name: "8-bit OSC as UTF-8", payload: "\u009d0;pwned\u009c"},
		{name: "8-bit CSI raw byte", payload: "\x9b2J"},
		{name: "8-bit OSC raw byte", payload: "\x9d0;pwned\x07"},
		{name: "RLO U+202E", payload: "abc\u202edcba"},
		{name: "LRI U+2066", payload: "\u2066isolate\u2069"},
		{name: "zero width space U+200B", payload: "zero\u200bwidth"},
		{name: "soft hyphen U+00AD", payload: "soft\u00adhyphen"},
		{name: "NEL U+0085", payload: "next\u0085line"},
		{name: "bidi marks and BOM", payload: "\ufeff\u200e\u200f\u061cmarks"},
		{name: "line separator", payload: "a\u2028b\u2029c"},
		{name: "NUL", payload: "nul\x00byte"},
		{name: "backspace and CR", payload: "ok\b\b\rDENIED"},
		{name: "invalid UTF-8", payload: "\xff\xfe\xc3\x28\xed\xa0\x80"},
		{name: "100 KB line", payload: strings.Repeat("A", 100<<10), benign: true},
		{name: "100 KB of escapes", payload: strings.Repeat("\x1b[2J", 25<<10)},
		{name: "IIN then escapes", payload: iin + "\x1b[2J\x1b]0;x\x07"},
		{name: "pass prefix then garbage", payload: "DC1:\x1b[31m\xff\u202e\x00\x9b" + strings.Repeat("%", 300)},
	}
}

// TestRawClassAgreesWithSanitize: every rune the documentation names is
// one sanitize.Unsafe defuses, and the other way round.
func TestRawClassAgreesWithSanitize(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if (documentedClass(r) != "") != sanitize.Unsafe(r) {
			t.Errorf("%U: documented class %q, sanitize.Unsafe %v", r, documentedClass(r), sanitize.Unsafe(r))
		}
	}
}

// TestRawCheckCatchesCorpus proves the checker is not blind: every hostile
// payload but the benign ones is flagged, and escaped text is not.
func TestRawCheckCatchesCorpus(t *testing.T) {
	for _, h := range hostileCorpus() {
		got := findRaw([]byte(h.payload), "", 1)
		if h.benign != (len(got) == 0) {
			t.Errorf("%s: findings %v, benign %v", h.name, got, h.benign)
		}
	}
	for _, clean := range []string{`\x1b]0;pwned\x07`, `\u202e`, "ADMIT green · subject 3f2a…", "█▀▄ QR", "line\n"} {
		if got := findRaw([]byte(clean), "\n", 1); len(got) > 0 {
			t.Errorf("%q flagged: %v", clean, got)
		}
	}
}
