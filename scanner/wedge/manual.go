package wedge

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/scanner/layout"
)

// iinKeys are the characters an IIN is typed with: its digits, and the
// space and dash people and printers group them with (pass.ParseIIN reads
// the same).
const iinKeys = "0123456789 -"

// BadKey stands in the manual field for a key it cannot hold: the guard
// sees where the wrong key went, and Backspace takes it out, but the key
// itself, which may be a control or an invisible character, is never in
// the field. An entry holding one is discarded at Enter.
const BadKey = '\uFFFD'

// spoiled says why the manual entry cannot be submitted as it stands, as
// the reason Enter gives for discarding it, or "" when it can.
func (a *Assembler) spoiled() string {
	switch {
	case a.manualOver:
		return fmt.Sprintf("typed entry over %d characters discarded", a.opt.ManualMax)
	case slices.Contains(a.manual, BadKey):
		return "typed entry discarded: an IIN holds only digits"
	}
	return ""
}

// spoiledHint is what the UI shows beside a spoiled field.
func (a *Assembler) spoiledHint() string {
	switch {
	case a.manualOver:
		return "too long for an IIN: Esc clears"
	case slices.Contains(a.manual, BadKey):
		return "an IIN holds only digits: Backspace or Esc"
	}
	return ""
}

// layoutIINKeys returns the characters the layouts type on the keys of
// iinKeys. On the Kazakh layout the number row types " ә і ң ғ , . ү ұ қ
// and never a digit, so without these a guard at a Kazakh keyboard could
// not type an IIN at all. They are kept as typed, and the entry is
// restored as a whole at Enter, only when it then reads as a payload (see
// Options.Valid), as a burst is.
func layoutIINKeys(layouts []layout.Layout) map[rune]bool {
	keys := map[rune]bool{}
	for _, l := range layouts {
		for _, r := range l.Type(iinKeys) {
			if !strings.ContainsRune(iinKeys, r) {
				keys[r] = true
			}
		}
	}
	return keys
}

// manualRune reports whether the manual field takes r: a character of
// an IIN, or one a configured layout types on the key of one.
func (a *Assembler) manualRune(r rune) bool {
	return strings.ContainsRune(iinKeys, r) || a.manualKeys[r]
}

// Paste types text into the manual field as a person pasting it: by the
// field's rules (only what an IIN can hold, each other character as
// BadKey, at most ManualMax characters), never as a burst, and never
// submitted without Enter. A line break at the end, which copying a line
// brings along, is dropped. The work is bounded by ManualMax whatever the
// length of text: reading stops at the first character that does not fit.
func (a *Assembler) Paste(text string, at time.Time) []Output {
	out := a.Tick(at)
	a.resetRun() // the keys before the paste are typing, not a scan
	if a.manualOver {
		return out
	}
	text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
	changed := false
	for _, r := range text { // invalid UTF-8 reads as U+FFFD, which spoils it
		changed = true
		if !a.takeManual(r) {
			break
		}
	}
	if !changed {
		return out
	}
	return append(out, a.manualChanged(at))
}
