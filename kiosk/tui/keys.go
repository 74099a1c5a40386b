package tui

import "charm.land/bubbles/v2/key"

// keyMap lists the kiosk's own keys. Everything else a keyboard (or a
// keyboard-wedge scanner) types goes to the scan assembler.
type keyMap struct {
	Undo key.Binding
	Help key.Binding
	Quit key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Undo: key.NewBinding(key.WithKeys("f8", "ctrl+z"), key.WithHelp("F8", "undo last")),
		Help: key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", "help")),
		Quit: key.NewBinding(key.WithKeys("ctrl+q"), key.WithHelp("Ctrl+Q ×2", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding { return []key.Binding{k.Undo, k.Help, k.Quit} }

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
