package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// overrideDialog lets the admin admit a denied visitor anyway, for one of
// the configured reasons, picked by its number and Enter (typed, so
// through the dialog field, never by a scan). A new verdict closes it
// (transient): the deny is no longer the last decision, and the core
// would refuse it anyway.
type overrideDialog struct {
	m      *Model
	denied kiosk.Verdict
	picked int // 1-based, 0: none yet
}

func newOverrideDialog(m *Model, denied kiosk.Verdict) *overrideDialog {
	return &overrideDialog{m: m, denied: denied}
}

func (*overrideDialog) transient() bool { return true }

func (d *overrideDialog) pick(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > len(d.m.opt.Lock.OverrideReasons) {
		return 0
	}
	return n
}

func (d *overrideDialog) Update(msg tea.Msg) (component, tea.Cmd) {
	switch msg := msg.(type) {
	case dialogKeyMsg:
		if tea.KeyPressMsg(msg).Code == tea.KeyEscape {
			return nil, nil
		}
	case dialogTextMsg:
		d.picked = d.pick(string(msg))
	case dialogSubmitMsg:
		n := d.pick(string(msg))
		if n == 0 {
			d.picked = 0
			return d, nil
		}
		return nil, d.m.override(d.denied, d.m.opt.Lock.OverrideReasons[n-1])
	}
	return d, nil
}

func (d *overrideDialog) View(w, h int) string {
	m := d.m
	lines := append(m.tr(catalog.OverrideTitle), "", m.fit(w-4, catalog.OverrideWhat, m.overrideWhat(d.denied)), "")
	lines = append(lines, m.tr(catalog.OverridePick)...)
	for i, r := range m.opt.Lock.OverrideReasons {
		mark := "  "
		if d.picked == i+1 {
			mark = "▶ "
		}
		lines = append(lines, fmt.Sprintf("%s%d  %s", mark, i+1, m.overrideLabel(r)))
	}
	n := "1–" + strconv.Itoa(len(m.opt.Lock.OverrideReasons)) + " + Enter "
	lines = append(lines, "", fitLangs(w-4, []string{n + m.tr1(catalog.KeyChoose) + "  ·  Esc " + m.tr1(catalog.KeyCancel),
		n + m.tx(catalog.KeyChoose) + "  ·  Esc " + m.tx(catalog.KeyCancel)}))
	return dialogBox(strings.Join(lines, "\n"), w, h)
}

func (d *overrideDialog) Keys() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("1–9 Enter", d.m.tr1(catalog.KeyChoose))),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", d.m.tr1(catalog.KeyCancel))),
	}
}

// overrideLabel names a reason in the configured languages; a reason the
// catalogue does not know is shown as configured (escaped).
func (m *Model) overrideLabel(r kiosk.OverrideReason) string {
	k, ok := map[kiosk.OverrideReason]catalog.Key{
		"paper_test": catalog.OverridePaperTest, "staff": catalog.OverrideStaff, "emergency_services": catalog.OverrideEmergency,
	}[r]
	if !ok {
		return sanitize.Escape(string(r))
	}
	return m.tr1(k)
}

// overrideFailedMsg says an override was refused or not recorded.
type overrideFailedMsg struct{ err error }

// override records the override through the core, which writes it
// durably before it answers; its verdict then takes the screen as any
// other (a ResultMsg). A refusal (no longer the last decision…) or a
// failure to record is a notice: nothing was admitted.
func (m *Model) override(denied kiosk.Verdict, why kiosk.OverrideReason) tea.Cmd {
	rec := m.opt.Lock.Override
	ctx := m.ctx
	return func() tea.Msg {
		v, err := rec(ctx, denied, why)
		if err != nil {
			return overrideFailedMsg{err}
		}
		return ResultMsg(kiosk.Result{Source: "override", Verdict: v})
	}
}

// onOverrideFailed shows why an override did not happen.
func (m *Model) onOverrideFailed(msg overrideFailedMsg) {
	k := catalog.OverrideFailed
	if errors.Is(msg.err, kiosk.ErrNotOverridable) {
		k = catalog.OverrideNotAllowed
	}
	m.flash(m.fit(m.width, k), m.opt.Now())
}
