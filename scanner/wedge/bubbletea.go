package wedge

import (
	tea "charm.land/bubbletea/v2"
)

// textMods are the modifiers that still leave a key typing its text: a
// scanner's capitals come with Shift, and the lock keys are reported
// under the Kitty keyboard protocol but change nothing here.
const textMods = tea.ModShift | tea.ModCapsLock | tea.ModNumLock | tea.ModScrollLock

// FromKeyPress adapts one Bubble Tea v2 key press to a Key. Bubble Tea
// delivers a scanner burst as one KeyPressMsg per character (per grapheme
// cluster): Text holds what the key typed, Code the key, tea.KeyEnter etc.
// the special keys. Besides Enter (CR) it takes the line feed a scanner
// set to an LF suffix sends (ctrl+j on a legacy terminal) as Enter, and
// ctrl+h (BS) as Backspace. A press whose Text holds more than one
// character gives only the first; use Keys to keep them all.
func FromKeyPress(k tea.KeyPressMsg) Key {
	ks := Keys(k)
	if len(ks) == 0 {
		return Key{Special: Other}
	}
	return ks[0]
}

// Keys adapts a Bubble Tea v2 key press to the keys it stands for: one,
// or one per character when Text is a cluster of several, or none for a
// key with no text and no meaning here (reported as Other).
func Keys(k tea.KeyPressMsg) []Key {
	mods := k.Mod &^ textMods
	switch {
	case k.Code == tea.KeyEnter && mods == 0,
		k.Code == 'j' && mods == tea.ModCtrl, // LF on a legacy terminal
		k.Code == 'm' && mods == tea.ModCtrl:
		return []Key{{Special: Enter}}
	case k.Code == tea.KeyTab && mods == 0:
		return []Key{{Special: Tab}}
	case k.Code == tea.KeyBackspace && mods == 0,
		k.Code == 'h' && mods == tea.ModCtrl: // BS on a legacy terminal
		return []Key{{Special: Backspace}}
	case k.Code == tea.KeyEscape && mods == 0:
		return []Key{{Special: Escape}}
	}
	if k.Text == "" || mods != 0 {
		return []Key{{Special: Other}}
	}
	ks := make([]Key, 0, len(k.Text))
	for _, r := range k.Text {
		ks = append(ks, Key{Rune: r})
	}
	return ks
}
