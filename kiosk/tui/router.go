package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/wedge"
)

// The router decides which component a key reaches.
//
// Scans come first, whatever is shown: every key that types a character,
// and Enter, Tab, Backspace and Esc, go through the one wedge assembler,
// which tells a scanner's burst from a person typing. A burst is a scan:
// it goes to the checker on every page and with a dialog open, and its
// verdict takes the screen (help closes for it; a PIN, confirm or
// override dialog stays open over it, unanswered).
//
// A dialog is modal and never sees raw keys. What the assembler says a
// person typed is the dialog's field (dialogTextMsg) and Enter on it its
// answer (dialogSubmitMsg), never the idle screen's manual field, so a
// scan's characters cannot answer a dialog and a PIN is never drawn in
// the manual field or checked as an IIN. Keys that type nothing (Esc,
// arrows, F-keys) go to the dialog as they are (dialogKeyMsg): scanners
// do not send them. Opening and closing a dialog clears the field.
//
// With no dialog open, the router's own keys (help, pages, undo) act
// first, a key without text then goes to the page shown, and the rest
// to the assembler, whose manual field the idle and manual pages draw.

// routeKey routes one key press.
func (m *Model) routeKey(k tea.KeyPressMsg, now time.Time) tea.Cmd {
	switch {
	case k.String() == "ctrl+c":
		// A kiosk: Ctrl+C does nothing, and says nothing to whoever
		// pressed it about how to quit instead.
		return nil
	}
	wks := wedge.Keys(k)
	typing := typesOrEdits(wks)
	if cmd, ok := m.enrollEnter(k, wks, now); ok { // enroll.go: Enter confirms
		return cmd
	}
	if m.dialog != nil {
		var cmds []tea.Cmd
		if !typing || k.Code == tea.KeyEscape {
			cmds = append(cmds, m.toDialog(dialogKeyMsg(k)))
		}
		if typing {
			cmds = append(cmds, m.feed(wks, now))
		}
		return tea.Batch(cmds...)
	}
	switch {
	case key.Matches(k, m.keys.Help):
		m.openDialog(newHelpDialog(m))
		return nil
	case key.Matches(k, m.keys.Direction):
		return m.askDirection() // settings.go: the admin PIN first
	case key.Matches(k, m.keys.Settings):
		return m.askSettings()
	case key.Matches(k, m.keys.Quit):
		return m.askQuit() // lock.go: the admin PIN first
	case key.Matches(k, m.keys.Undo):
		return m.askUndo() // PIN, then a dialog that says what it undoes
	case key.Matches(k, m.keys.Override):
		return m.askOverride()
	case key.Matches(k, m.keys.Samples) && m.opt.Demo:
		m.openDialog(samplesDialog{m})
		return nil
	case key.Matches(k, m.keys.Manual):
		m.show(pageManual)
		return nil
	case key.Matches(k, m.keys.History):
		m.show(pageHistory)
		return nil
	case key.Matches(k, m.keys.Stats):
		m.show(pageStats)
		return m.refreshStats()
	case key.Matches(k, m.keys.Back) && m.page != pageMain && m.manual == "":
		m.page = pageMain
		return nil
	}
	if !typing {
		var cmd tea.Cmd
		m.pages[m.page], cmd = m.pages[m.page].Update(k)
		return cmd
	}
	return m.feed(wks, now)
}

// typesOrEdits reports whether keys are for the assembler: characters,
// or the keys that end or edit its field.
func typesOrEdits(wks []wedge.Key) bool {
	for _, wk := range wks {
		if wk.Special != wedge.Other {
			return true
		}
	}
	return false
}

// feed gives every character of a key to the assembler, so a key typing
// several cannot slip one past the manual field's rules.
func (m *Model) feed(wks []wedge.Key, now time.Time) tea.Cmd {
	var outs []wedge.Output
	for _, wk := range wks {
		outs = append(outs, m.keyboard.Feed(wk, now)...)
	}
	return m.onWedge(outs...)
}

// show switches to page p, or back to the main page when p is shown.
func (m *Model) show(p pageID) {
	if m.page == p {
		p = pageMain
	}
	m.page = p
}

// onWedge acts on the outputs of the wedge assembler, in order: scans go
// to the checker always; the manual field is the dialog's when one is
// open (see routeKey).
func (m *Model) onWedge(outs ...wedge.Output) tea.Cmd {
	var cmds []tea.Cmd
	for _, out := range outs {
		switch {
		case out.Kind == wedge.OutputPayload && out.Source != wedge.SourceManual && m.isEnrollCode(out.Text):
			// A hub enrollment code on a kiosk with no config: never a
			// pass to check (enroll.go).
			cmds = append(cmds, m.offerEnroll(out.Text))
		case out.Kind == wedge.OutputPayload && (m.dialog == nil || out.Source != wedge.SourceManual):
			cmds = append(cmds, m.submit(scanner.Scan{Payload: out.Text, Source: out.Source, At: out.At}))
		case out.Kind == wedge.OutputPayload:
			cmds = append(cmds, m.toDialog(dialogSubmitMsg(out.Text)))
		case out.Kind == wedge.OutputManual && m.dialog != nil:
			cmds = append(cmds, m.toDialog(dialogTextMsg(out.Text)))
		case out.Kind == wedge.OutputManual:
			m.manual, m.manualHint = out.Text, out.Refused
		case out.Kind == wedge.OutputDropped && out.Source == wedge.SourceManual:
			m.flash(m.fit(m.width, catalog.ManualDiscarded), out.At)
		case out.Kind == wedge.OutputDropped:
			m.flash(m.fit(m.width, catalog.ScanDiscarded), out.At)
		}
	}
	return tea.Batch(cmds...)
}

// toDialog sends msg to the open dialog, closing it when it says so.
func (m *Model) toDialog(msg tea.Msg) tea.Cmd {
	if m.dialog == nil {
		return nil
	}
	d, cmd := m.dialog.Update(msg)
	if d == nil {
		m.closeDialog()
		return cmd
	}
	m.dialog = d
	return cmd
}

// openDialog shows d over the page. The manual field is cleared first, so
// what was typed for the page never becomes the dialog's answer.
func (m *Model) openDialog(d component) {
	m.clearField()
	m.dialog = d
}

// closeDialog closes the dialog and clears the field it was typed into.
func (m *Model) closeDialog() {
	m.dialog = nil
	m.clearField()
}

// clearField empties the assembler's field, as Esc does, so a dialog's
// text never stays behind in the manual field.
func (m *Model) clearField() {
	for _, out := range m.keyboard.Feed(wedge.Key{Special: wedge.Escape}, m.opt.Now()) {
		if out.Kind == wedge.OutputManual {
			m.manual, m.manualHint = out.Text, out.Refused
		}
	}
}

// body draws the main area: the verdict while one is on screen, whatever
// the page, else the page; and the dialog over it.
func (m *Model) body(h int) string {
	var body string
	if m.last != nil {
		body = m.verdictView(*m.last, h)
	} else {
		body = m.pages[m.page].View(m.width, h)
	}
	if m.dialog == nil {
		return body
	}
	box := m.dialog.View(m.width, h)
	if m.width < 60 || h < 20 {
		// No room to see anything around a dialog: it takes the area,
		// rather than leave stray letters of the page at its sides.
		return m.place(m.width, h, box, lipgloss.NewStyle())
	}
	return m.overlay(body, box, m.width, h)
}

// overlay draws box centred over body, a w×h area.
func overlay(body, box string, w, h int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max(0, (w-bw)/2), max(0, (h-bh)/2)
	c := lipgloss.NewCanvas(w, h)
	c.Compose(lipgloss.NewCompositor(lipgloss.NewLayer(body), lipgloss.NewLayer(box).X(x).Y(y).Z(1)))
	return c.Render()
}
