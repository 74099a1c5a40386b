package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// samplesDialog lists every demo sample pass (F5 on a demo kiosk), the
// idle screen shows only what fits. Closing it and typing or pasting a
// payload checks it: the dialog takes no text itself.
type samplesDialog struct{ m *Model }

func (samplesDialog) transient() bool { return true }

func (d samplesDialog) Update(msg tea.Msg) (component, tea.Cmd) {
	if k, ok := msg.(dialogKeyMsg); ok {
		kp := tea.KeyPressMsg(k)
		if key.Matches(kp, d.m.keys.Samples) || key.Matches(kp, d.m.keys.Back) {
			return nil, nil
		}
	}
	return d, nil
}

func (d samplesDialog) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("f5", "esc"), key.WithHelp("F5/Esc", d.m.tr1(catalog.KeyClose)))}
}

func (d samplesDialog) View(w, h int) string {
	return dialogBox(strings.Join(d.m.sampleLines(w-6), "\n"), w, h)
}
