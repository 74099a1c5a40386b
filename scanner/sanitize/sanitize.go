// Package sanitize makes untrusted payload bytes safe for a terminal or a
// log. A QR code or a serial line can carry anything, including escape
// sequences that would repaint the kiosk's screen, retitle its window or
// reorder the text a guard reads. Every path from a payload to a screen or
// a log goes through Escape.
//
// Stripping escape sequences (as ansi.Strip does) is not enough: it keeps
// CR, BS and BEL, the one-character CSI U+009B and the bidi overrides,
// each of which can still rewrite or reorder what a guard reads. Escape
// defuses those too, and shows them instead of hiding them, so staff can
// see what a scanner really sent.
package sanitize

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the bound Escape applies, in bytes of input considered.
// It keeps a whole signed pass (about 200 bytes) readable in a log line
// while a 4 KiB junk payload cannot flood a screen: the output of Escape
// is at most 4×DefaultMax bytes plus a short marker.
const DefaultMax = 256

// Escape returns s with everything that could act on a terminal, or hide
// or reorder text, replaced by a visible escape, bounded to DefaultMax
// input bytes. See EscapeLimit.
func Escape(s string) string { return EscapeLimit(s, DefaultMax) }

// EscapeLimit escapes s and considers at most max bytes of it, cutting
// only between runes; anything longer ends with a visible "…(+N bytes)"
// marker giving the number of input bytes left out. The output is valid
// UTF-8 and holds no C0 or C1 control, no DEL, no bidi control and no
// invisible format character:
//
//   - ESC, CR, LF, TAB, BS, BEL, NUL and every other C0 control, and DEL,
//     become \xHH;
//   - C1 controls (U+0080..U+009F, including the one-character CSI U+009B)
//     become \u00HH;
//   - bidi overrides, embeddings, isolates and marks (U+202A..U+202E,
//     U+2066..U+2069, U+200E, U+200F, U+061C), zero-width characters and
//     every other Unicode format character (category Cf, such as U+200B
//     and the BOM U+FEFF), the line and paragraph separators U+2028 and
//     U+2029, invisible Hangul fillers and private-use characters become
//     \uHHHH, or \UHHHHHHHH beyond U+FFFF;
//   - each byte of invalid UTF-8 becomes \xHH;
//   - a backslash becomes \\, so escapes cannot be forged.
//
// Every escape has a fixed length, so the result reads back to exactly
// the input (within the bound). Escape sequences are not parsed, only
// defused: ESC [ 2 J shows as \x1b[2J, which tells staff what the input
// was.
func EscapeLimit(s string, max int) string {
	if max < 0 {
		max = 0
	}
	n := min(len(s), max)
	if n == len(s) && Clean(s) {
		return s
	}
	b := make([]byte, 0, n+n/4+16)
	i := 0
	for i < n {
		r, size := utf8.DecodeRuneInString(s[i:])
		if i+size > max {
			break // never split a rune at the bound
		}
		switch {
		case r == utf8.RuneError && size == 1:
			b = appendHex(b, `\x`, uint32(s[i]), 2)
		case r == '\\':
			b = append(b, `\\`...)
		case r < 0x20 || r == 0x7f:
			b = appendHex(b, `\x`, uint32(r), 2)
		case r >= 0x80 && r <= 0x9f:
			b = appendHex(b, `\u`, uint32(r), 4)
		case hidden(r) && r > 0xffff:
			b = appendHex(b, `\U`, uint32(r), 8)
		case hidden(r):
			b = appendHex(b, `\u`, uint32(r), 4)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	if i < len(s) {
		b = append(b, "…(+"...)
		b = strconv.AppendInt(b, int64(len(s)-i), 10)
		b = append(b, " bytes)"...)
	}
	return string(b)
}

// Clean reports whether s holds nothing Escape would change, apart from
// its length: printable, valid UTF-8 with no backslash.
func Clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return cleanUnicode(s[i:])
		}
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func cleanUnicode(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if r == '\\' || Unsafe(r) {
			return false
		}
	}
	return true
}

// Unsafe reports whether Escape defuses the rune r because it could act
// on a terminal or hide or reorder text: a C0 or C1 control, DEL, or one
// of the hidden characters (bidi controls, format characters, separators,
// fillers, private use). It is the one list of such runes: a check of
// text already on a screen uses it rather than a copy. The backslash is
// not unsafe (Escape doubles it only so that escapes cannot be forged),
// and neither is U+FFFD: invalid UTF-8 is a matter of bytes, not of
// runes, and utf8.ValidString checks it.
func Unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || hidden(r)
}

// Safe reports whether s would pass through Escape unchanged.
func Safe(s string) bool { return len(s) <= DefaultMax && Clean(s) }

// hidden reports runes that are invisible or change how the text around
// them is shown: Unicode's format characters (Cf: bidi controls, marks,
// zero-width joiners, the BOM, the soft hyphen, tag characters…), line
// and paragraph separators, the Hangul fillers that render as blank
// letters, and private-use code points, which fonts draw as anything.
func hidden(r rune) bool {
	switch r {
	case 0x2028, 0x2029, 0x115f, 0x1160, 0x3164, 0xffa0:
		return true
	}
	if r < 0xad {
		return false // fast path: nothing below the soft hyphen qualifies
	}
	return unicode.In(r, unicode.Cf, unicode.Co)
}

const hexDigits = "0123456789abcdef"

// appendHex appends prefix and v as exactly width lower-case hex digits.
func appendHex(b []byte, prefix string, v uint32, width int) []byte {
	b = append(b, prefix...)
	for shift := 4 * (width - 1); shift >= 0; shift -= 4 {
		b = append(b, hexDigits[v>>uint(shift)&0xf])
	}
	return b
}
