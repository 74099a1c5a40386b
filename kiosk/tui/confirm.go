package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// confirmDialog asks before an action that cannot be taken back by
// accident (undo). It owns its keys while open: the action's own key
// again confirms and Esc cancels. Neither is a key a scanner types
// (printable text, Enter, Tab), so a scan arriving while the dialog is
// open never answers it; every other key goes on to the scan assembler
// as usual, and a new verdict cancels the dialog, since what it would act
// on has changed.
type confirmDialog struct {
	title, body string
	confirm     key.Binding
	cancel      key.Binding
	until       time.Time // it cancels itself then
}

// confirmTimeout is how long the dialog waits for an answer.
const confirmTimeout = 10 * time.Second

// dialogAnswer is what a key did to the dialog.
type dialogAnswer int

const (
	notForDialog dialogAnswer = iota // the key goes on to the scan assembler
	confirmed
	cancelled
)

func newConfirm(title, body string, confirm key.Binding, now time.Time) *confirmDialog {
	return &confirmDialog{
		title:   title,
		body:    body,
		confirm: confirm,
		cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", strCancel)),
		until:   now.Add(confirmTimeout),
	}
}

// answer reports what k does to the dialog.
func (d *confirmDialog) answer(k tea.KeyPressMsg) dialogAnswer {
	switch {
	case key.Matches(k, d.confirm):
		return confirmed
	case key.Matches(k, d.cancel):
		return cancelled
	}
	return notForDialog
}

// expired reports whether the dialog waited too long.
func (d *confirmDialog) expired(now time.Time) bool { return now.After(d.until) }

// view draws the dialog as a box of at most w columns, in the terminal's
// own colours (reversed), unlike any verdict.
func (d *confirmDialog) view(w int) string {
	hint := d.confirm.Help().Key + " " + d.confirm.Help().Desc + " · " + d.cancel.Help().Key + " " + d.cancel.Help().Desc
	box := lipgloss.NewStyle().Reverse(true).Padding(0, 1).Width(min(w, 60)).Align(lipgloss.Center)
	return box.Render(d.title + "\n\n" + d.body + "\n\n" + hint)
}
