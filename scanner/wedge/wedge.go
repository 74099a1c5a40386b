// Package wedge assembles keyboard-wedge scanner input. A USB HID scanner
// types its payload into the terminal as fast keystrokes, which Bubble Tea
// v2 delivers one key message per character; a person types an IIN by
// hand far more slowly into the same terminal. The Assembler buffers keys
// until Enter, Tab or an idle gap, tells a scanner burst from a person by
// the time between keys, and never mixes a burst into the text the person
// is typing.
//
// It is pure and UI-agnostic: keys and their times in, outputs out, no
// clock of its own. bubbletea.go adapts Bubble Tea key messages.
//
// # Telling a scanner from a person
//
// Scanners type a key every few milliseconds; people leave 80 ms or more
// between keys. A burst is recognised once MinBurst keys have arrived each
// less than BurstGap after the one before. Until then the keys look like
// typing and land in the manual field, because the first key of a burst
// looks exactly like a person's key until the second arrives fast; when the
// burst is recognised, those keys are taken back out of the field and
// become the start of the burst. A burst then lasts until Enter, Tab or an
// idle Gap with no key.
//
// The one thing it cannot separate is a person's key that falls within
// BurstGap of a burst's first key, or within Gap of its last: that key is
// taken into the burst.
//
// # The manual field
//
// The manual field holds an IIN typed by hand, so it takes only what an
// IIN can hold (manual.go): digits, and the spaces and dashes people group
// them with, or the characters a configured layout types on those keys.
// Any other key is shown as the placeholder BadKey, never as itself, and
// an entry holding one is discarded at Enter with a reason rather than
// submitted without it, since an entry with a key left out might still
// read as some other IIN; Backspace takes the placeholder out again.
// Pasted text follows the same rules (Paste). Controls, escapes and
// invisible characters are thus kept out of the field, though the UI
// still escapes what it shows.
package wedge

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/scanner/layout"
)

// Defaults for Options.
const (
	DefaultGap       = 50 * time.Millisecond
	DefaultBurstGap  = 35 * time.Millisecond
	DefaultMinBurst  = 4
	DefaultMax       = 4096
	DefaultManualMax = 64
)

// Options tune the assembler. Zero values take the defaults.
type Options struct {
	// Gap is the idle time that ends a burst sent without Enter or Tab
	// (DefaultGap). Some scanners send no terminator at all.
	Gap time.Duration
	// BurstGap is the longest time between two keys of a scanner burst
	// (DefaultBurstGap). Scanners type every 1–30 ms; people 80 ms and up.
	BurstGap time.Duration
	// MinBurst is how many fast keys in a row make a burst
	// (DefaultMinBurst). A terminator arriving fast counts as one of them.
	MinBurst int
	// Max bounds a burst in bytes (DefaultMax); ManualMax bounds the manual
	// field in characters (DefaultManualMax). A burst beyond Max is
	// dropped with a reason at once and framing resynchronises when it
	// ends (Enter, Tab or the idle gap). Typing beyond ManualMax is not
	// shown, and Enter or Tab then discard the entry with a reason instead
	// of submitting it; Escape clears it.
	Max, ManualMax int
	// Valid, if set, says whether text is a payload the kiosk can read;
	// text it rejects is tried through Layouts (see layout.RestoreWith),
	// so a burst or an entry typed through a Russian or Kazakh layout
	// still reads. The manual field also takes the characters Layouts type
	// on an IIN's keys. Nil Layouts means no layout is undone;
	// layout.Known() lists them all.
	Valid   func(string) bool
	Layouts []layout.Layout
}

func (o Options) withDefaults() Options {
	if o.Gap <= 0 {
		o.Gap = DefaultGap
	}
	if o.BurstGap <= 0 {
		o.BurstGap = DefaultBurstGap
	}
	if o.MinBurst < 2 {
		o.MinBurst = DefaultMinBurst
	}
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	if o.ManualMax <= 0 {
		o.ManualMax = DefaultManualMax
	}
	return o
}

// Assembler turns key presses into payloads. It is not safe for
// concurrent use; the TUI calls it from its update loop.
type Assembler struct {
	opt Options

	// manual is the manual-entry field, and manualKeys the characters it
	// takes besides an IIN's own (see manualRune); other keys are BadKey
	// in it. manualOver says a key did not fit in it: keys are ignored
	// until Enter, Tab or Escape, and Enter or Tab then discard the entry.
	// overInRun says the first key that did not fit belongs to the current
	// run of fast keys, so the overflow is forgiven if that run turns out
	// to be a scanner burst.
	manual     []rune
	manualKeys map[rune]bool
	manualOver bool
	overInRun  bool

	// run is the trailing run of fast keys not yet recognised as a burst,
	// and inManual how many of them landed at the end of manual (fewer
	// than len(run) when the field was full or had overflowed).
	run      []rune
	inManual int

	// burst holds a recognised burst's bytes while inBurst; burstOver says
	// it overflowed and keys are ignored until it ends.
	burst     []byte
	inBurst   bool
	burstOver bool

	last time.Time // when the last key arrived; zero before the first
}

// New returns an assembler.
func New(opt Options) *Assembler {
	opt = opt.withDefaults()
	return &Assembler{opt: opt, manualKeys: layoutIINKeys(opt.Layouts)}
}

// Manual returns the manual-entry field's text.
func (a *Assembler) Manual() string { return string(a.manual) }

// Deadline returns when Tick must next be called to end a burst by the
// idle gap, and false when no burst is open. A UI schedules one tick for
// that moment after each key.
func (a *Assembler) Deadline() (time.Time, bool) {
	if !a.inBurst {
		return time.Time{}, false
	}
	return a.last.Add(a.opt.Gap), true
}

// Tick ends a burst that has been quiet for the idle gap by now: some
// scanners send no Enter. It returns the burst's payload, if any.
func (a *Assembler) Tick(now time.Time) []Output {
	if a.inBurst && !now.Before(a.last.Add(a.opt.Gap)) {
		return a.endBurst(a.last)
	}
	return nil
}

// Feed takes one key pressed at at, and returns what the UI must act on,
// in order.
func (a *Assembler) Feed(k Key, at time.Time) []Output {
	out := a.Tick(at)
	d := at.Sub(a.last)
	fast := !a.last.IsZero() && d >= 0 && d < a.opt.BurstGap
	a.last = at

	switch k.Special {
	case Enter, Tab:
		return append(out, a.terminate(fast, at)...)
	case Backspace:
		if a.inBurst || a.manualOver {
			return out
		}
		a.resetRun()
		if len(a.manual) == 0 {
			return out
		}
		a.manual = a.manual[:len(a.manual)-1]
		return append(out, a.manualChanged(at))
	case Escape:
		if a.inBurst {
			return out
		}
		a.resetRun()
		wasOver := a.manualOver
		a.manualOver = false
		if len(a.manual) == 0 && !wasOver {
			return out
		}
		a.manual = a.manual[:0]
		return append(out, a.manualChanged(at))
	case NoSpecial:
		if k.Rune == 0 {
			return out
		}
	default:
		return out
	}

	if a.inBurst {
		return append(out, a.addBurst(k.Rune, at)...)
	}
	if !fast {
		a.resetRun()
	}
	a.run = append(a.run, k.Rune)
	if len(a.run) >= a.opt.MinBurst {
		return append(out, a.startBurst(at)...)
	}
	return append(out, a.addManual(k.Rune, at)...)
}

// terminate handles Enter or Tab: it ends a burst, or submits the manual
// field. A terminator that arrives fast after a run of fast keys counts as
// one more key of it, so a short burst sent while someone types still
// goes out on its own.
func (a *Assembler) terminate(fast bool, at time.Time) []Output {
	var out []Output
	if !a.inBurst && fast && len(a.run) > 0 && len(a.run)+1 >= a.opt.MinBurst {
		out = a.startBurst(at)
	}
	if a.inBurst {
		return append(out, a.endBurst(at)...)
	}
	a.resetRun()
	if why := a.spoiled(); why != "" {
		a.manualOver = false
		a.manual = a.manual[:0]
		return append(out, a.manualChanged(at), Output{Kind: OutputDropped, Source: SourceManual, At: at, Text: why})
	}
	if len(a.manual) == 0 {
		return out
	}
	text := string(a.manual)
	a.manual = a.manual[:0]
	return append(out, a.manualChanged(at), a.payload(text, SourceManual, at))
}

// startBurst turns the current run of fast keys into a burst, taking the
// ones that landed in the manual field back out of it.
func (a *Assembler) startBurst(at time.Time) []Output {
	var out []Output
	changed := a.inManual > 0 || a.overInRun
	a.manual = a.manual[:len(a.manual)-a.inManual]
	if a.overInRun {
		a.manualOver = false // the key that did not fit was the scanner's
	}
	if changed {
		out = append(out, a.manualChanged(at))
	}
	run := a.run
	a.resetRun()
	a.burst, a.inBurst, a.burstOver = a.burst[:0], true, false
	for _, r := range run {
		out = append(out, a.addBurst(r, at)...)
	}
	return out
}

func (a *Assembler) resetRun() { a.run, a.inManual, a.overInRun = a.run[:0], 0, false }

// addManual types the key r into the manual field (see takeManual).
func (a *Assembler) addManual(r rune, at time.Time) []Output {
	if a.manualOver {
		return nil
	}
	if !a.takeManual(r) {
		a.overInRun = true
		return []Output{a.manualChanged(at)} // the UI says the entry is spoiled
	}
	a.inManual++
	return []Output{a.manualChanged(at)}
}

// takeManual types r into the manual field, as itself or as BadKey (see
// manualRune), and reports false if it did not fit. A key that does not
// fit is not shown, and the entry is discarded at Enter rather than
// submitted truncated: a truncated entry might still parse as something
// else.
func (a *Assembler) takeManual(r rune) bool {
	if len(a.manual) >= a.opt.ManualMax {
		a.manualOver = true
		return false
	}
	if !a.manualRune(r) {
		r = BadKey
	}
	a.manual = append(a.manual, r)
	return true
}

func (a *Assembler) addBurst(r rune, at time.Time) []Output {
	if a.burstOver {
		return nil
	}
	if len(a.burst)+utf8.RuneLen(r) > a.opt.Max {
		a.burst, a.burstOver = a.burst[:0], true
		return []Output{{Kind: OutputDropped, Source: SourceWedge, At: at,
			Text: fmt.Sprintf("scan over %d bytes discarded", a.opt.Max)}}
	}
	a.burst = utf8.AppendRune(a.burst, r)
	return nil
}

func (a *Assembler) endBurst(at time.Time) []Output {
	text, over := string(a.burst), a.burstOver
	a.burst, a.inBurst, a.burstOver = a.burst[:0], false, false
	if over || text == "" {
		return nil
	}
	return []Output{a.payload(text, SourceWedge, at)}
}

func (a *Assembler) manualChanged(at time.Time) Output {
	return Output{Kind: OutputManual, Text: string(a.manual), Source: SourceManual, At: at,
		Refused: a.spoiledHint()}
}

// payload restores the keyboard layout when that makes the text readable.
func (a *Assembler) payload(text, source string, at time.Time) Output {
	o := Output{Kind: OutputPayload, Text: text, Source: source, At: at}
	if a.opt.Valid != nil {
		if restored, name, ok := layout.RestoreWith(text, a.opt.Valid, a.opt.Layouts); ok {
			o.Text, o.Layout = restored, name
		}
	}
	return o
}
