package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk/adminpin"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// Five wrong PINs lock the dialog for a minute: a visitor guessing a
// four-digit PIN needs days, and an admin who mistyped waits a minute.
const (
	pinTries   = 5
	pinLockout = time.Minute
)

// pinGate is the lock's state across PIN dialogs: closing and reopening
// the dialog does not reset the count or the lockout.
type pinGate struct {
	failures    int
	lockedUntil time.Time
	demo        *adminpin.Hashed // the demo PIN's hash, made once
}

// lockedFor is how long the gate stays locked from now (0: open).
func (g *pinGate) lockedFor(now time.Time) time.Duration {
	return max(0, g.lockedUntil.Sub(now))
}

// fail counts a wrong PIN; the fifth locks the gate.
func (g *pinGate) fail(now time.Time) {
	g.failures++
	if g.failures >= pinTries {
		g.failures, g.lockedUntil = 0, now.Add(pinLockout)
	}
}

// pinDialog asks for the admin PIN before an action. The PIN comes
// through the router's dialog field (dialogTextMsg, dialogSubmitMsg):
// what a person types, never a scanner's burst, and never drawn: the
// dialog shows one dot per digit. Esc cancels.
type pinDialog struct {
	m      *Model
	action lockAction
	hash   adminpin.Hashed
	then   func() (component, tea.Cmd)
	typed  int  // digits typed so far (the digits themselves are not kept)
	wrong  bool // the last PIN was wrong
}

func newPINDialog(m *Model, a lockAction, h adminpin.Hashed, then func() (component, tea.Cmd)) *pinDialog {
	return &pinDialog{m: m, action: a, hash: h, then: then}
}

func (d *pinDialog) Update(msg tea.Msg) (component, tea.Cmd) {
	now := d.m.opt.Now()
	switch msg := msg.(type) {
	case dialogKeyMsg:
		if tea.KeyPressMsg(msg).Code == tea.KeyEscape {
			return nil, nil
		}
	case dialogTextMsg:
		d.typed = len(msg)
	case dialogSubmitMsg:
		d.typed = 0
		if d.m.gate.lockedFor(now) > 0 {
			return d, nil // locked: not even checked
		}
		// Checked here, not in a command: argon2id takes tens of
		// milliseconds once per PIN, and keys and scans wait in
		// order meanwhile.
		if d.hash.Matches(string(msg)) {
			d.m.gate.failures = 0
			return d.then()
		}
		d.wrong = true
		d.m.gate.fail(now)
	}
	return d, nil
}

func (d *pinDialog) View(w, h int) string {
	m := d.m
	lines := []string{m.fit(w-4, catalog.PINTitle), ""}
	if left := m.gate.lockedFor(m.opt.Now()); left > 0 {
		secs := int((left + time.Second - 1) / time.Second)
		lines = append(lines, m.tr(catalog.PINLocked, secs)...)
		return dialogBox(strings.Join(lines, "\n"), w, h)
	}
	for _, l := range m.langs() {
		lines = append(lines, m.cat.Lookup(l, catalog.PINPrompt, m.cat.Lookup(l, d.action.key())))
	}
	lines = append(lines, "", "PIN: "+strings.Repeat("●", d.typed)+strings.Repeat("·", max(0, adminpin.MinLen-d.typed)))
	if d.wrong {
		lines = append(lines, "")
		lines = append(lines, m.tr(catalog.PINWrong, pinTries-m.gate.failures)...)
	}
	return dialogBox(strings.Join(lines, "\n"), w, h)
}

func (d *pinDialog) Keys() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("Enter", d.m.tr1(catalog.KeyConfirm))),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", d.m.tr1(catalog.KeyCancel))),
	}
}
