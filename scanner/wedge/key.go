package wedge

import "time"

// Special names a key that types no character.
type Special int

const (
	NoSpecial Special = iota // the key types Key.Rune
	Enter                    // ends a burst, or submits the manual field
	Tab                      // ends a burst (scanners set to Tab suffix), or submits the manual field
	Backspace                // deletes the manual field's last character
	Escape                   // clears the manual field
	Other                    // any other key without text (arrows, F-keys); ignored
)

// Key is one key press: a character, or a special key.
type Key struct {
	Rune    rune
	Special Special
}

// OutputKind says what an Output is.
type OutputKind int

const (
	// OutputPayload is a complete payload to check: a scanner burst
	// (Source "wedge") or the manual field submitted with Enter (Source
	// "manual").
	OutputPayload OutputKind = iota
	// OutputManual says the manual-entry field's text is now Text
	// ("ManualChanged"): the UI redraws the field from it.
	OutputManual
	// OutputDropped says input was discarded; Text is the reason, safe to
	// show.
	OutputDropped
)

// Sources of payloads, as in scanner.Scan.Source.
const (
	SourceWedge  = "wedge"
	SourceManual = "manual"
)

// Output is something the UI must act on.
type Output struct {
	Kind OutputKind
	// Text is the payload, the manual field's whole text, or the reason
	// for a drop. A payload is untrusted: escape it before showing it.
	Text   string
	Source string    // SourceWedge or SourceManual, for payloads and drops
	Layout string    // the keyboard layout undone to restore a payload, if any
	At     time.Time // when the last key of it arrived
	// Refused, for OutputManual, says why the entry was spoiled and can
	// no longer be submitted, and what to do (safe to show); empty while
	// it can be. The UI shows it beside the field.
	Refused string
}
