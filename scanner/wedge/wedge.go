// Package wedge assembles keyboard-wedge scanner input. A USB HID scanner
// types its payload into the terminal as fast keystrokes, which Bubble Tea
// delivers one key message per character; a person types an IIN by hand
// far more slowly. The Assembler buffers keys until Enter, Tab or an idle
// gap, tells a scanner burst from a person by the time between keys, and
// never mixes a burst into the text the person is typing.
//
// It is pure: keys and times in, outputs out. The TUI adapts Bubble Tea
// key messages with FromKeyPress.
package wedge

import (
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/scanner/layout"
)

// Special keys the assembler understands.
type Special int

const (
	NoSpecial Special = iota
	Enter
	Tab
	Backspace
	Escape
	Other // a key with no text that the assembler ignores
)

// Key is one key press: a rune, or a special key.
type Key struct {
	Rune    rune
	Special Special
}

// OutputKind says what an Output is.
type OutputKind int

const (
	OutputPayload OutputKind = iota // a complete payload to check
	OutputManual                    // the manual-entry field's text changed
	OutputDropped                   // input was discarded; Text says why
)

// Output is something the UI must act on.
type Output struct {
	Kind   OutputKind
	Text   string    // payload, field text, or drop reason (safe to show)
	Source string    // "wedge" for a scanner burst, "manual" for typed text
	Layout string    // keyboard layout undone to restore the payload, if any
	At     time.Time // when the last key arrived
}

// Options tune the assembler. Zero values take the defaults.
type Options struct {
	// Gap is the idle time that ends a burst sent without Enter (50 ms).
	Gap time.Duration
	// BurstGap is the most time between two keys of a scanner burst
	// (35 ms); people type slower.
	BurstGap time.Duration
	// MinBurst is how many fast keys in a row make a burst (4).
	MinBurst int
	// Max bounds a burst (4096 bytes); ManualMax the typed field (64 runes).
	Max, ManualMax int
	// Valid, if set, says whether text is a payload the kiosk reads; text
	// that is not is tried through Layouts.
	Valid   func(string) bool
	Layouts []layout.Layout
}

// Assembler turns key presses into payloads. It is not safe for
// concurrent use; the TUI calls it from its update loop.
type Assembler struct {
	opt Options

	manual []rune
	burst  []rune
	inside bool // a burst is being assembled
	over   bool // the burst overflowed; ignoring keys until it ends
	// fast counts the keys at the end of manual that came in quick
	// succession: the start of a burst that has not yet been recognised.
	fast int
	last time.Time
}

// New returns an assembler.
func New(opt Options) *Assembler {
	if opt.Gap <= 0 {
		opt.Gap = 50 * time.Millisecond
	}
	if opt.BurstGap <= 0 {
		opt.BurstGap = 35 * time.Millisecond
	}
	if opt.MinBurst <= 0 {
		opt.MinBurst = 4
	}
	if opt.Max <= 0 {
		opt.Max = 4096
	}
	if opt.ManualMax <= 0 {
		opt.ManualMax = 64
	}
	return &Assembler{opt: opt}
}

// Manual returns the manual-entry field's text.
func (a *Assembler) Manual() string { return string(a.manual) }

// Feed takes one key pressed at at.
func (a *Assembler) Feed(k Key, at time.Time) []Output {
	out := a.Tick(at)
	quick := !a.last.IsZero() && at.Sub(a.last) < a.opt.BurstGap
	a.last = at
	switch k.Special {
	case Enter, Tab:
		if a.inside {
			return append(out, a.endBurst(at)...)
		}
		a.fast = 0
		if len(a.manual) == 0 {
			return out
		}
		text := string(a.manual)
		a.manual = a.manual[:0]
		out = append(out, Output{Kind: OutputManual, At: at, Source: "manual"})
		return append(out, a.payload(text, "manual", at))
	case Backspace:
		if !a.inside && len(a.manual) > 0 {
			a.manual = a.manual[:len(a.manual)-1]
			a.fast = 0
			out = append(out, Output{Kind: OutputManual, Text: string(a.manual), At: at, Source: "manual"})
		}
		return out
	case Escape:
		a.fast = 0
		if !a.inside && len(a.manual) > 0 {
			a.manual = a.manual[:0]
			out = append(out, Output{Kind: OutputManual, At: at, Source: "manual"})
		}
		return out
	case Other:
		return out
	}
	if k.Rune == 0 {
		return out
	}
	if a.inside {
		return append(out, a.addBurst(k.Rune, at)...)
	}
	if quick && a.fast > 0 {
		a.fast++
	} else {
		a.fast = 1
	}
	if a.fast >= a.opt.MinBurst {
		// The last few "typed" keys were a scanner: move them out of the
		// person's field into the burst.
		start := max(0, len(a.manual)-(a.fast-1))
		a.burst = append(a.burst[:0], a.manual[start:]...)
		a.manual = a.manual[:start]
		a.inside, a.over, a.fast = true, false, 0
		out = append(out, Output{Kind: OutputManual, Text: string(a.manual), At: at, Source: "manual"})
		return append(out, a.addBurst(k.Rune, at)...)
	}
	if len(a.manual) >= a.opt.ManualMax {
		return append(out, Output{Kind: OutputDropped, Text: fmt.Sprintf("typed text is limited to %d characters", a.opt.ManualMax), At: at})
	}
	a.manual = append(a.manual, k.Rune)
	return append(out, Output{Kind: OutputManual, Text: string(a.manual), At: at, Source: "manual"})
}

// Tick ends a burst that has gone quiet for the idle gap: some scanners
// send no Enter.
func (a *Assembler) Tick(now time.Time) []Output {
	if a.inside && now.Sub(a.last) >= a.opt.Gap {
		return a.endBurst(a.last)
	}
	return nil
}

func (a *Assembler) addBurst(r rune, at time.Time) []Output {
	if a.over {
		return nil
	}
	if len(string(a.burst))+len(string(r)) > a.opt.Max {
		a.over = true
		return []Output{{Kind: OutputDropped, Text: fmt.Sprintf("scan over the %d-byte limit ignored", a.opt.Max), At: at}}
	}
	a.burst = append(a.burst, r)
	return nil
}

func (a *Assembler) endBurst(at time.Time) []Output {
	text, over := string(a.burst), a.over
	a.burst, a.inside, a.over = a.burst[:0], false, false
	if over || text == "" {
		return nil
	}
	return []Output{a.payload(text, "wedge", at)}
}

// payload restores the keyboard layout if that makes the text readable.
func (a *Assembler) payload(text, source string, at time.Time) Output {
	o := Output{Kind: OutputPayload, Text: text, Source: source, At: at}
	if a.opt.Valid != nil {
		if restored, name, ok := layout.Restore(text, a.opt.Valid, a.opt.Layouts...); ok {
			o.Text, o.Layout = restored, name
		}
	}
	return o
}
