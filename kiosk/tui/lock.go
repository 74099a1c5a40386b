package tui

import (
	"context"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/adminpin"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// LockOptions lock the kiosk: quitting, switching direction, undo,
// override and settings need the admin PIN, so a visitor at an
// unattended screen can change nothing. The screen never tells a visitor
// how to quit.
type LockOptions struct {
	// PIN is the admin PIN's hash (adminpin.Load); nil when none is set:
	// the kiosk is then unlocked and its idle screen says how to set one.
	// A demo kiosk (Options.Demo) with no PIN takes adminpin.DemoPIN and
	// shows it, so whoever started the demo can always quit it.
	PIN *adminpin.Hashed
	// PINBroken is set when the PIN file exists but cannot be read: the
	// kiosk stays locked (no PIN opens it) rather than falling open.
	PINBroken bool
	// SetPINCommand is what the idle screen tells an admin to run when no
	// PIN is set ("doorcheck admin-pin --config /etc/doorcheck/kiosk.yaml").
	SetPINCommand string
	// Languages are shown together, in order (ui.languages); none: all
	// three. The whole screen takes them, not only the lock.
	Languages []catalog.Lang
	// OverrideReasons are the reasons an admin may pick (ui.override_reasons).
	OverrideReasons []kiosk.OverrideReason
	// Override records an override (kiosk.Checker.Override); nil: no
	// override on this kiosk.
	Override func(ctx context.Context, denied kiosk.Verdict, why kiosk.OverrideReason) (kiosk.Verdict, error)
}

// lockAction is what the PIN unlocks.
type lockAction int

const (
	actionQuit lockAction = iota
	actionDirection
	actionUndo
	actionOverride
	actionSettings
)

func (a lockAction) key() catalog.Key {
	return [...]catalog.Key{catalog.ActionQuit, catalog.ActionDirection, catalog.ActionUndo, catalog.ActionOverride, catalog.ActionSettings}[a]
}

// pinHash is the PIN that unlocks the kiosk, and whether one does: the
// configured PIN, else the demo's, else none (unlocked). A PIN file that
// cannot be read locks the kiosk with no PIN accepted.
func (m *Model) pinHash() (h adminpin.Hashed, locked bool) {
	switch {
	case m.opt.Lock.PINBroken:
		return adminpin.Hashed{}, true
	case m.opt.Lock.PIN != nil:
		return *m.opt.Lock.PIN, true
	case m.opt.Demo:
		if m.gate.demo == nil {
			// The demo PIN is public: a cheap hash is enough, and the
			// demo starts no slower for it.
			enc, err := adminpin.Hash(adminpin.DemoPIN, adminpin.Params{Memory: 64, Time: 1, Threads: 1}, demoSalt{})
			if err != nil {
				return adminpin.Hashed{}, true
			}
			d, err := adminpin.Parse(enc)
			if err != nil {
				return adminpin.Hashed{}, true
			}
			m.gate.demo = &d
		}
		return *m.gate.demo, true
	}
	return adminpin.Hashed{}, false
}

// demoSalt is the demo PIN's fixed salt: the PIN is public anyway.
type demoSalt struct{}

func (demoSalt) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(i)
	}
	return len(b), nil
}

// guarded runs then once the admin PIN is given: at once on an unlocked
// kiosk, else after the PIN dialog. then returns the dialog to open next
// (nil for none) and a command.
func (m *Model) guarded(a lockAction, then func() (component, tea.Cmd)) tea.Cmd {
	h, locked := m.pinHash()
	if !locked {
		d, cmd := then()
		if d != nil {
			m.openDialog(d)
		}
		return cmd
	}
	m.openDialog(newPINDialog(m, a, h, then))
	return nil
}

// lockHint is what the idle screen says about the lock: how to set a PIN
// when none is set, the demo PIN on a demo kiosk; in the first language
// only on a screen under 20 rows, or under 30 with several languages
// (their prompts take the rows), where the rest is needed. Nothing when
// a PIN is set: the screen never tells a visitor how to quit.
func (m *Model) lockHint(h int) []string {
	langs := m.langs()
	if h < 20 || (h < 30 && len(langs) > 1) {
		langs = langs[:1]
	}
	var out []string
	switch {
	case m.opt.Lock.PIN != nil || m.opt.Lock.PINBroken:
		return nil
	case m.opt.Demo:
		for _, l := range langs {
			out = append(out, m.cat.Lookup(l, catalog.DemoPIN, adminpin.DemoPIN))
		}
		return dedupe(out)
	}
	cmd := m.opt.Lock.SetPINCommand
	if cmd == "" {
		cmd = "doorcheck admin-pin --config FILE"
	}
	for _, l := range langs {
		out = append(out, m.cat.Lookup(l, catalog.NoPINSet))
	}
	return append(dedupe(out), cmd)
}

// dedupe drops repeated lines, keeping the first.
func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// askQuit is the quit key: with the PIN, quit.
func (m *Model) askQuit() tea.Cmd {
	return m.guarded(actionQuit, func() (component, tea.Cmd) { return nil, tea.Quit })
}

// askUndo is the undo key: with the PIN, a dialog that says what the undo
// reverses and asks to confirm.
func (m *Model) askUndo() tea.Cmd {
	if m.undoing {
		return nil
	}
	return m.guarded(actionUndo, func() (component, tea.Cmd) { return newConfirmUndo(m), nil })
}

// askOverride is the override key, on a deny's verdict only: with the
// PIN, the dialog to pick why the visitor is admitted anyway.
func (m *Model) askOverride() tea.Cmd {
	if m.opt.Lock.Override == nil || len(m.opt.Lock.OverrideReasons) == 0 {
		return nil
	}
	if m.last == nil || m.last.Verdict.Decision != kiosk.Deny || !m.last.Verdict.Recorded {
		m.flash(m.fit(m.width, catalog.OverrideNotAllowed), m.opt.Now())
		return nil
	}
	denied := m.last.Verdict
	return m.guarded(actionOverride, func() (component, tea.Cmd) { return newOverrideDialog(m, denied), nil })
}
