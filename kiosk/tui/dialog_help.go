package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// helpDialog is the help overlay: every key of the router and of the page
// shown, from their key.Bindings, so a key cannot exist without its help.
type helpDialog struct{ m *Model }

func newHelpDialog(m *Model) component { return helpDialog{m} }

// transient: a verdict closes help (see the ResultMsg case).
func (helpDialog) transient() bool { return true }

func (d helpDialog) Update(msg tea.Msg) (component, tea.Cmd) {
	if k, ok := msg.(dialogKeyMsg); ok {
		kp := tea.KeyPressMsg(k)
		if key.Matches(kp, d.m.keys.Help) || key.Matches(kp, d.m.keys.Back) {
			return nil, nil
		}
	}
	return d, nil
}

func (d helpDialog) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("f1", "esc"), key.WithHelp("F1/Esc", d.m.tr1(catalog.KeyClose)))}
}

// bindings lists every key the screen answers to now, without repeats.
func (d helpDialog) bindings() []key.Binding {
	k := d.m.keys
	all := []key.Binding{k.Help, k.Manual, k.History, k.Stats, k.Back, k.Undo}
	// Anyone at the door can press F1: a kiosk locked by its own admin PIN
	// never says how to quit (the demo and an unlocked kiosk do).
	if !d.m.opt.Lock.PINBroken && d.m.opt.Lock.PIN == nil {
		all = append(all, k.Quit)
	}
	if d.m.opt.Demo {
		all = append(all, k.Samples)
	}
	if d.m.opt.Admin.SetDirection != nil {
		all = append(all, k.Direction)
	}
	all = append(all, k.Settings)
	all = append(all, d.m.pages[d.m.page].Keys()...)
	seen := map[string]bool{}
	var out []key.Binding
	for _, b := range all {
		h := b.Help()
		if h.Key == "" || seen[h.Key] {
			continue
		}
		seen[h.Key] = true
		out = append(out, b)
	}
	return out
}

func (d helpDialog) View(w, h int) string {
	inner := w - 6 // the box's border and padding
	lines := []string{lipgloss.NewStyle().Bold(true).Render(d.m.fit(inner, catalog.HelpTitle))}
	keyW := 0
	bs := d.bindings()
	for _, b := range bs {
		keyW = max(keyW, lipgloss.Width(b.Help().Key))
	}
	// A key's help is in every language (tr1) when the line fits, else
	// in the first.
	for _, b := range bs {
		hb := b.Help()
		desc := hb.Desc
		if keyW+1+lipgloss.Width(desc) > inner {
			desc = firstLang(desc)
		}
		lines = append(lines, hb.Key+strings.Repeat(" ", keyW-lipgloss.Width(hb.Key)+1)+desc)
	}
	lines = append(lines, "", d.m.fit(inner, catalog.HelpScan), d.m.fit(inner, catalog.HelpType))
	return dialogBox(strings.Join(lines, "\n"), w, h)
}

// dialogBox frames content for a dialog, within w×h: a border when there
// is room for one, content wrapped to the width and cut to the height.
func dialogBox(content string, w, h int) string {
	style := lipgloss.NewStyle().Reverse(true).Padding(0, 1)
	inner := w - 2
	if w >= 40 && h >= 12 {
		style = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1)
		inner = w - 4
	}
	cw := min(lipgloss.Width(content), max(1, inner-2))
	box := style.Width(cw + style.GetHorizontalFrameSize()).Render(content)
	return lipgloss.NewStyle().MaxHeight(h).MaxWidth(w).Render(box)
}
