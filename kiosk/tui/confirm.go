package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// confirmUndo asks before an undo and says what it reverses: the last
// decision this screen showed. The undo key again confirms and Esc
// cancels; neither is a key a scanner types. A new verdict closes it
// (transient): what it would undo has changed, and the guard must see
// that before undoing anything.
type confirmUndo struct {
	m    *Model
	what string
}

func newConfirmUndo(m *Model) *confirmUndo { return &confirmUndo{m: m, what: m.undoWhat()} }

// transient: a new verdict cancels the dialog (see Model.Update).
func (*confirmUndo) transient() bool { return true }

func (d *confirmUndo) Update(msg tea.Msg) (component, tea.Cmd) {
	if k, ok := msg.(dialogKeyMsg); ok {
		kp := tea.KeyPressMsg(k)
		switch {
		case key.Matches(kp, d.m.keys.Undo):
			return nil, d.m.undo()
		case kp.Code == tea.KeyEscape:
			return nil, nil
		}
	}
	return d, nil
}

func (d *confirmUndo) View(w, h int) string {
	lines := append(d.m.tr(catalog.UndoTitle), "", d.what, "")
	lines = append(lines, fitLangs(w-4, []string{"F8 " + d.m.tr1(catalog.UndoConfirmKey) + "  ·  Esc " + d.m.tr1(catalog.KeyCancel),
		"F8 " + d.m.tx(catalog.UndoConfirmKey) + "  ·  Esc " + d.m.tx(catalog.KeyCancel)}))
	return dialogBox(strings.Join(lines, "\n"), w, h)
}

func (d *confirmUndo) Keys() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("f8", "ctrl+z"), key.WithHelp("F8", d.m.tr1(catalog.UndoConfirmKey))),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", d.m.tr1(catalog.KeyCancel))),
	}
}

// undoWhat says what an undo would reverse: the last decision this
// screen showed (word, status, time, last four digits), when it knows one.
func (m *Model) undoWhat() string {
	if len(m.history) == 0 {
		return m.tr1(catalog.UndoUnknown)
	}
	e := m.history[0]
	if e.failed || e.repeat {
		return m.tr1(catalog.UndoUnknown)
	}
	parts := []string{m.tx(e.word)}
	if e.hasStatus {
		parts = append(parts, m.tx(catalog.StatusKey(e.status)))
	}
	parts = append(parts, e.at.In(m.opt.Location).Format("15:04:05"))
	if e.last4 != "" {
		parts = append(parts, "…"+e.last4)
	}
	return strings.Join(parts, " · ")
}

// overrideWhat is the denied verdict an override admits, in words.
func (m *Model) overrideWhat(v kiosk.Verdict) string {
	parts := []string{}
	if v.HasStatus {
		parts = append(parts, m.tx(catalog.StatusKey(v.Status)))
	}
	if len(v.Reasons) > 0 {
		parts = append(parts, m.cat.Reason(m.cat.First(), v.Reasons[0], m.details(v)))
	}
	if v.IINLast4 != "" {
		parts = append(parts, "…"+v.IINLast4)
	}
	return strings.Join(parts, " · ")
}
