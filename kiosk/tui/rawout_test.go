package tui

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// The raw-output check: the bytes the screen wrote to the terminal, split
// into control sequences and text with ansi.DecodeSequence (the decoder a
// terminal's parser follows), must hold nothing that input could have
// smuggled there. The renderer writes its own sequences (cursor moves,
// colours, modes, the window title), so the check is an allowlist of what
// it legitimately emits rather than a ban on ESC.

// screenCSI lists the CSI sequences the renderer (Bubble Tea v2 over
// ultraviolet) emits, as prefix+intermediate+final with NUL for none: the
// cursor moves, erases, tabs, scroll region and scrolls of its diffing
// renderer, SGR, DEC private modes, tab stops every 8 columns (DECST8C,
// on a real tty), the DECRQM and Kitty keyboard queries, modifyOtherKeys
// and the cursor style. Anything else (a window-ops CSI t, a device
// status report) did not come from the screen.
var screenCSI = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range "@ABCDEFGHIJKLMPSTXZ`bdmr" {
		m["\x00\x00"+string(f)] = true
	}
	for _, s := range []string{"?\x00h", "?\x00l", "?\x00W", "?$p", "?\x00u", "<\x00u", ">\x00u", "=\x00u", ">\x00m", "\x00 q"} {
		m[s] = true
	}
	return m
}()

// rawOutputProblems lists every problem in out, the bytes written to the
// terminal: text (everything printed between sequences) with invalid
// UTF-8, a C1 control, a bidi control or an invisible format character
// (exactly the runes sanitize.Escape defuses, by sanitize.Unsafe); a C0
// control not in c0, the ones the screen writes (BEL for the bell, CR and
// LF, and on a real terminal BS and HT as cursor moves); an 8-bit
// (C1) control introducer or a stray byte; an escape sequence the renderer
// never emits (OSC other than the window title, DCS, APC, PM, SOS, an
// ESC sequence other than the reverse index ESC M, an unknown CSI, an
// unterminated sequence); and the full-screen erase
// ESC [ 2 J anywhere but straight after the cursor-home ESC [ H that the
// renderer always writes before it. title says whether a window title is
// one the screen sets.
func rawOutputProblems(out []byte, c0 string, title func(string) bool) []string {
	var problems []string
	bad := func(at int, format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf("offset %d: ", at)+fmt.Sprintf(format, args...))
		}
	}
	p := ansi.NewParser()
	var state byte
	prevHome := false
	for off := 0; off < len(out); {
		seq, _, n, next := ansi.DecodeSequence(out[off:], state, p)
		if n == 0 {
			bad(off, "decoder made no progress at %q", clip(out[off:]))
			break
		}
		state = next
		home := false
		switch c := seq[0]; {
		case state != ansi.NormalState:
			bad(off, "unterminated sequence %q", clip(seq))
		case c == ansi.ESC && len(seq) == 1:
			bad(off, "lone ESC")
		case c == ansi.ESC && seq[1] == '[':
			cmd := ansi.Cmd(p.Command())
			shape := string([]byte{cmd.Prefix(), cmd.Intermediate(), cmd.Final()})
			switch {
			case !screenCSI[shape]:
				bad(off, "CSI the screen never writes: %q", clip(seq))
			case string(seq) == ansi.CursorHomePosition:
				home = true
			case cmd.Final() == 'J' && string(seq) != ansi.EraseScreenBelow && !(prevHome && string(seq) == ansi.EraseEntireScreen):
				bad(off, "screen erase %q not written by the renderer", seq)
			}
		case c == ansi.ESC && seq[1] == ']':
			cmd := p.Command()
			body := strings.TrimSuffix(strings.TrimSuffix(string(seq[2:]), "\a"), "\x1b\\")
			_, text, _ := strings.Cut(body, ";")
			switch {
			case cmd != 0 && cmd != 2:
				bad(off, "OSC %d: %q", cmd, clip(seq))
			case !textSafe(text) || !title(text):
				bad(off, "window title the screen never sets: %q", clip(seq))
			}
		case c == ansi.ESC && string(seq) == ansi.ReverseIndex:
		case c == ansi.ESC:
			bad(off, "escape sequence the screen never writes: %q", clip(seq))
		case c >= 0x80 && c <= 0x9f:
			bad(off, "8-bit C1 byte 0x%02x (%q)", c, clip(seq))
		case c < 0x20 || c == ansi.DEL:
			if !strings.ContainsRune(c0, rune(c)) {
				bad(off, "C0 control 0x%02x", c)
			}
		case !textSafe(string(seq)):
			bad(off, "unsafe text %q", seq)
		}
		prevHome = home
		off += n
	}
	return problems
}

// textSafe reports whether s is valid UTF-8 with no rune the sanitizer
// would defuse.
func textSafe(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, sanitize.Unsafe)
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// screenTitle is every title the screen sets: "doorcheck", a verdict word
// after it, and "" when it resets the title on exit.
func screenTitle(s string) bool {
	return s == "" || s == "doorcheck" || strings.HasPrefix(s, "doorcheck: ")
}

// The C0 controls the screen writes: on a terminal (the bell, line ends,
// and the backspace and tab the renderer moves the cursor with on a real
// tty), and in a rendered view, which holds only lines and SGR.
const (
	terminalC0 = "\a\b\t\r\n"
	viewC0     = "\n"
)

// requireCleanOutput fails t with every problem in out, bytes written to a
// terminal.
func requireCleanOutput(t *testing.T, what string, out []byte) {
	t.Helper()
	requireClean(t, what, out, terminalC0)
}

func requireClean(t *testing.T, what string, out []byte, c0 string) {
	t.Helper()
	if len(out) == 0 {
		t.Fatalf("%s: no output at all", what)
	}
	if problems := rawOutputProblems(out, c0, screenTitle); len(problems) > 0 {
		t.Errorf("%s: %d bytes on the terminal hold input that was not escaped:\n  %s", what, len(out), strings.Join(problems, "\n  "))
	}
}

// TestRawOutputCheck: the check passes what the renderer writes and
// catches every kind of smuggled byte.
func TestRawOutputCheck(t *testing.T) {
	screen := "\x1bM\t\b\x1b[?2026$p\x07\x1b[>4m\x1b[?1049h\x1b[?25l\x1b]2;doorcheck: STOP\x07\x1b[>4;2m\x1b[>1u\x1b[?u" +
		"\x1b[H\x1b[2J\x1b[K\r\n\x1b[7;33H\x1b[1K\x1b[C█ █\x1b[38;5;1;48;5;7mRED\x1b[0m · ұққ \\x1b\x1b[?7l…\x1b[?7h" +
		"\x1b[24;1H\x1b[?1049l\x1b[?25h\x1b]2;\x07"
	if p := rawOutputProblems([]byte(screen), terminalC0, screenTitle); len(p) > 0 {
		t.Fatalf("the renderer's own output fails: %v", p)
	}
	tests := []struct{ name, inject string }{
		{"OSC title from input", "\x1b]0;pwned\x07"},
		{"OSC 2 with another title", "\x1b]2;pwned\x07"},
		{"OSC 52 clipboard", "\x1b]52;c;cHduZWQ=\x07"},
		{"unterminated OSC", "\x1b]0;pwned"},
		{"screen erase", "IIN: 9001\x1b[2J"},
		{"DCS", "\x1bP+q544e\x1b\\"},
		{"window ops", "\x1b[21t"},
		{"ESC c reset", "\x1bc"},
		{"8-bit CSI as UTF-8", "\u009b2J"},
		{"8-bit OSC as UTF-8", "\u009d0;x\u009c"},
		{"8-bit CSI byte", "\x9b2J"},
		{"8-bit OSC byte", "\x9d0;x\x07"},
		{"NEL", "a\u0085b"},
		{"RLO", "9001\u202e3000"},
		{"LRI", "\u2066x"},
		{"ZWSP", "9\u200b0"},
		{"soft hyphen", "9\u00ad0"},
		{"NUL", "9\x000"},
		{"DEL", "9\x7f0"},
		{"invalid UTF-8", "9\xff\xfe0"},
		{"truncated UTF-8", "9\xc3"},
	}
	if p := rawOutputProblems([]byte("\x1b[1mIIN: 9\b0\x1b[m\n"), viewC0, screenTitle); len(p) == 0 {
		t.Errorf("BS in a rendered view not caught")
	}
	for _, tt := range tests {
		if p := rawOutputProblems([]byte(screen+tt.inject+"\r\n"), terminalC0, screenTitle); len(p) == 0 {
			t.Errorf("%s: %q not caught", tt.name, tt.inject)
		}
	}
}
