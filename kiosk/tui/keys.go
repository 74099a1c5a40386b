package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

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
	// Direction switches entry/exit on a door that serves both, and
	// Settings opens the settings screen: both with the admin PIN.
	Direction key.Binding
	Settings  key.Binding
}

// defaultKeys are the router's keys, their help in m's languages (all of
// them, joined by langSep: the help overlay shows the first alone when
// the line does not fit). Made again when the language order changes.
func defaultKeys(m *Model) keyMap {
	b := func(help string, k catalog.Key, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, m.tr1(k)))
	}
	return keyMap{
		Help:      b("F1", catalog.KeyHelp, "f1"),
		Manual:    b("F2", catalog.KeyManual, "f2"),
		History:   b("F3", catalog.KeyHistory, "f3"),
		Stats:     b("F4", catalog.KeyStats, "f4"),
		Back:      b("Esc", catalog.KeyBack, "esc"),
		Undo:      b("F8", catalog.KeyUndo, "f8", "ctrl+z"),
		Samples:   b("F5", catalog.KeySamples, "f5"),
		Override:  b("F6", catalog.KeyOverride, "f6"),
		Quit:      b("Ctrl+Q", catalog.KeyQuit, "ctrl+q"),
		Direction: b("F7", catalog.KeyDirection, "f7"),
		Settings:  b("F9", catalog.KeySettings, "f9"),
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
