package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"900101400003", "900101400003"},
		{"DC1:%60.ZEN $*+-./:", "DC1:%60.ZEN $*+-./:"},
		{"Алматы", "Алматы"}, // Cyrillic is text, not a threat
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},     // OSC: window title
		{"\x1bP+q544e\x1b\\", `\x1bP+q544e\x1b\\`},   // DCS with ST
		{"a\rb", `a\x0db`},                           // CR rewrites the line
		{"ab\bc", `ab\x08c`},                         // BS
		{"\a", `\x07`},                               // BEL
		{"\x00\x7f", `\x00\x7f`},                     // NUL, DEL
		{"\t\n", `\x09\x0a`},                         //
		{"\u009b2J", `\u009b2J`},                     // one-character CSI (C1)
		{"\u0085", `\u0085`},                         // NEL (C1)
		{"ok\u202etxt.exe", `ok\u202etxt.exe`},       // right-to-left override
		{"\u2066x\u2069", `\u2066x\u2069`},           // isolates
		{"\u200e\u200f\u061c", `\u200e\u200f\u061c`}, // marks
		{"a\u200bb\ufeff", `a\u200bb\ufeff`},         // zero width space, BOM
		{"line\u2028two", `line\u2028two`},           //
		{"\xff\xfeok\xc3", `\xff\xfeok\xc3`},         // invalid UTF-8
		{`back\slash`, `back\\slash`},                // escapes cannot be forged
		{`\x1b`, `\\x1b`},                            //
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// ansi.Strip removes escape sequences but keeps CR, BS, BEL, the C1 CSI
// and bidi overrides, each of which can still mislead a guard. Escape must
// catch every one of them.
func TestStripIsNotEnough(t *testing.T) {
	for _, in := range []string{"a\rb", "a\bb", "a\ab", "a\u009b2Jb", "a\u202eb"} {
		stripped := ansi.Strip(in)
		if !hasDanger(stripped) {
			t.Logf("ansi.Strip now handles %q", in)
		}
		if hasDanger(Escape(in)) {
			t.Errorf("Escape(%q) = %q still holds a control", in, Escape(in))
		}
	}
}

func TestEscapeLimit(t *testing.T) {
	long := strings.Repeat("Ж", 300) // two bytes each
	got := Escape(long)
	if !strings.HasSuffix(got, "…(+344 bytes)") {
		t.Errorf("bounded output ends %q", got[len(got)-20:])
	}
	if !utf8.ValidString(got) {
		t.Error("cut inside a rune")
	}
	if got := EscapeLimit("abcdef", 3); got != "abc…(+3 bytes)" {
		t.Errorf("EscapeLimit = %q", got)
	}
	if got := EscapeLimit("abc", 0); got != "…(+3 bytes)" {
		t.Errorf("EscapeLimit 0 = %q", got)
	}
	if !Safe("900101400003") || Safe("a\x1b") {
		t.Error("Safe")
	}
}

func hasDanger(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return true
			}
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	return false
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"\x1b[31mred", "\u009b", "\u202e", "\xff", "ok", `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if hasDanger(got) {
			t.Fatalf("Escape(%q) = %q holds a control or format character", s, got)
		}
		if len(got) > 4*DefaultMax+32 {
			t.Fatalf("output of %d bytes is not bounded", len(got))
		}
	})
}
