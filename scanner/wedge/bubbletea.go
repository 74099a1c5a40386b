package wedge

import (
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// FromKeyPress adapts a Bubble Tea v2 key press. Bubble Tea delivers a
// scanner burst as one message per character, so each becomes one Key.
func FromKeyPress(k tea.KeyPressMsg) Key {
	switch k.Code {
	case tea.KeyEnter:
		return Key{Special: Enter}
	case tea.KeyTab:
		return Key{Special: Tab}
	case tea.KeyBackspace:
		return Key{Special: Backspace}
	case tea.KeyEscape:
		return Key{Special: Escape}
	}
	if k.Text != "" && k.Mod&^tea.ModShift == 0 {
		if r, size := utf8.DecodeRuneInString(k.Text); size == len(k.Text) {
			return Key{Rune: r}
		}
	}
	if k.Code == ' ' {
		return Key{Rune: ' '}
	}
	return Key{Special: Other}
}
