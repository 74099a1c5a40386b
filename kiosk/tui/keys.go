package tui

import "charm.land/bubbles/v2/key"

// keyMap lists the router's own keys. Everything else a keyboard (or a
// keyboard-wedge scanner) types goes to the scan assembler; pages and
// dialogs list their own keys (component.Keys). None of them is a key a
// scanner types: function keys, Esc and Ctrl chords.
type keyMap struct {
	Help    key.Binding
	Manual  key.Binding
	History key.Binding
	Stats   key.Binding
	Back    key.Binding
	Undo    key.Binding
	// Override admits a denied visitor anyway (admin PIN, lock.go).
	Override key.Binding
	Samples  key.Binding // demo kiosks only
	Quit     key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Help:     key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", t(keyHelpHelp))),
		Manual:   key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", t(keyHelpManual))),
		History:  key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", t(keyHelpHistory))),
		Stats:    key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", t(keyHelpStats))),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", t(keyHelpBack))),
		Undo:     key.NewBinding(key.WithKeys("f8", "ctrl+z"), key.WithHelp("F8", t(keyHelpUndo))),
		Samples:  key.NewBinding(key.WithKeys("f5"), key.WithHelp("F5", t(keyHelpDemo))),
		Override: key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", "admit anyway (PIN)")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+q"), key.WithHelp("Ctrl+Q", t(keyHelpQuit))),
	}
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Manual, k.History, k.Stats, k.Undo}
}

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Help, k.Manual, k.History, k.Stats}, {k.Back, k.Undo, k.Quit}}
}
