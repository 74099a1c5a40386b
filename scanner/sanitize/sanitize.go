// Package sanitize makes untrusted payload bytes safe for a terminal or a
// log. A QR code or a serial line can carry anything, including escape
// sequences that would repaint the kiosk's screen, retitle its window or
// reorder the text a guard reads. Every path from a payload to a screen or
// a log goes through Escape.
package sanitize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the default bound, in bytes of input considered, for
// Escape.
const DefaultMax = 256

// Escape returns s with everything that could act on a terminal, or hide
// or reorder text, replaced by a visible escape, bounded to DefaultMax
// input bytes. See EscapeLimit.
func Escape(s string) string { return EscapeLimit(s, DefaultMax) }

// EscapeLimit escapes s and considers at most max bytes of it; anything
// longer ends with a visible "…(+N bytes)" marker. The output is valid
// UTF-8 and holds no C0 or C1 control, no DEL, no bidi control and no
// invisible format character:
//
//   - ESC, CR, LF, TAB, BS, BEL, NUL and every other C0 control, and DEL,
//     become \xHH;
//   - C1 controls (U+0080..U+009F, including the one-character CSI U+009B)
//     become \u00HH;
//   - bidi overrides, embeddings, isolates and marks, zero-width and other
//     invisible format characters, and line/paragraph separators become
//     \uHHHH;
//   - each byte of invalid UTF-8 becomes \xHH;
//   - a backslash becomes \\, so escapes cannot be forged.
//
// Escape sequences are not parsed, only defused: ESC [ 2 J shows as
// \x1b[2J, which tells staff what the input was.
func EscapeLimit(s string, max int) string {
	if max < 0 {
		max = 0
	}
	var b strings.Builder
	b.Grow(min(len(s), max) + 8)
	i := 0
	for i < len(s) && i < max {
		r, size := utf8.DecodeRuneInString(s[i:])
		if i+size > max {
			break // never split a rune at the bound
		}
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case unsafeFormat(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	if i < len(s) {
		fmt.Fprintf(&b, "…(+%d bytes)", len(s)-i)
	}
	return b.String()
}

// unsafeFormat reports runes that are invisible or change how the text
// around them is shown: Unicode's format characters (Cf: bidi controls,
// zero-width joiners, the BOM, soft hyphen…), line and paragraph
// separators, private-use and unassigned-surrogate code points.
func unsafeFormat(r rune) bool {
	switch {
	case r == 0x2028 || r == 0x2029:
		return true
	case unicode.Is(unicode.Cf, r):
		return true
	case unicode.Is(unicode.Co, r):
		return true
	}
	return false
}

// Safe reports whether s would pass through Escape unchanged.
func Safe(s string) bool { return len(s) <= DefaultMax && Escape(s) == s }
