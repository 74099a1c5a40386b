package tui

import (
	"github.com/charmbracelet/x/ansi"
	"strings"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// What the screen draws from outside goes through sanitize.Escape exactly
// once. Most of it arrives raw (the manual field, error text, the
// configured venue and door, a verdict's subject) and view.go escapes it
// where it is drawn. A scanner event's Detail arrives escaped already: its
// producer escapes the device path or dropped input it quotes (the
// contract of scanner.Event), and escaping it again would double every
// backslash it holds, which a udev by-id path does ("\x20" for a space).

// escapedDetail returns d, a scanner event's already escaped detail, as
// it is when it holds nothing a terminal would act on, and escaped when
// its producer broke the contract: raw text from a careless source never
// reaches the terminal, and escaped text is not escaped twice.
func escapedDetail(d string) string {
	if utf8.ValidString(d) && !strings.ContainsFunc(d, sanitize.Unsafe) {
		return d
	}
	return sanitize.Escape(d)
}

// ansiCut cuts s, screen text, to w cells with an ellipsis.
func ansiCut(s string, w int) string { return ansi.Truncate(s, w, "…") }
