package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// AdminOptions are what the settings screen shows, read-only, and what an
// admin may change there for the session.
type AdminOptions struct {
	// SetDirection switches what the door records (kiosk.Checker's
	// SetDirection); nil on a door that records one direction only
	// (ui.direction_switch off).
	SetDirection func(policy.Direction) error
	// StorePath and HubURL are shown as configured (escaped); empty: not
	// set.
	StorePath, HubURL string
}

// askDirection is the direction key: with the admin PIN (none asked again
// on the settings screen, which the PIN opened), the door records the
// other direction. A door that records one direction says so.
func (m *Model) askDirection() tea.Cmd {
	if m.opt.Admin.SetDirection == nil {
		m.flash(m.fit(m.width, catalog.DirectionFixed), m.opt.Now())
		return nil
	}
	if m.page == pageSettings {
		m.switchDirection()
		return nil
	}
	return m.guarded(actionDirection, func() (component, tea.Cmd) {
		m.switchDirection()
		return nil, nil
	})
}

// switchDirection makes the door record the other direction, through the
// core, and shows it: the idle screen's direction and a notice.
func (m *Model) switchDirection() {
	to := policy.Entry
	if m.opt.Direction == policy.Entry.String() {
		to = policy.Exit
	}
	if err := m.opt.Admin.SetDirection(to); err != nil {
		m.flash(m.fit(m.width, catalog.DirectionFailed), m.opt.Now())
		return
	}
	m.opt.Direction = to.String()
	k, _ := m.directionKey()
	var now []string
	for _, l := range m.langs() {
		now = append(now, m.cat.Lookup(l, catalog.DirectionNowIs, m.cat.Lookup(l, k)))
	}
	m.flash(fitLangs(m.width, dedupe(now)), m.opt.Now())
}

// askSettings is the settings key: with the admin PIN, the settings
// screen; on it, back to the main page.
func (m *Model) askSettings() tea.Cmd {
	if m.page == pageSettings {
		m.page = pageMain
		return nil
	}
	return m.guarded(actionSettings, func() (component, tea.Cmd) {
		m.page = pageSettings
		return nil, nil
	})
}

// leaveSettingsOnScan closes the settings screen when a scan's verdict
// comes in: a visitor at the door means the admin has walked away, and
// what the PIN opened must not stay open behind the verdict.
func (m *Model) leaveSettingsOnScan(r kiosk.Result) {
	if m.page == pageSettings && r.Source != "undo" && r.Source != "override" {
		m.page = pageMain
	}
}

// rotateLangs moves the first language shown to the end (or, back, the
// last to the front), for the session; with one language configured it
// shows the next of the catalogue's instead.
func (m *Model) rotateLangs(back bool) {
	langs := m.langs()
	if len(langs) == 1 {
		all := catalog.Langs()
		i := slices.Index(all, langs[0])
		if back {
			i += len(all) - 2
		}
		langs = []catalog.Lang{all[(i+1)%len(all)]}
	} else if back {
		langs = append(langs[len(langs)-1:], langs[:len(langs)-1]...)
	} else {
		langs = append(langs[1:], langs[0])
	}
	m.cat = m.cat.WithLangs(langs...)
	m.keys = defaultKeys(m)
}

// settingsPage shows the kiosk's settings read-only — venue, door,
// direction, languages, snapshot version, store path, hub URL — and
// changes the direction (F7) and the language order (← →) for the
// session. Only the PIN opens it (askSettings); Esc or F9 leaves it.
type settingsPage struct{ m *Model }

func (p settingsPage) Update(msg tea.Msg) (component, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.Code {
		case tea.KeyRight:
			p.m.rotateLangs(false)
		case tea.KeyLeft:
			p.m.rotateLangs(true)
		}
	}
	return p, nil
}

func (p settingsPage) Keys() []key.Binding {
	m := p.m
	return []key.Binding{
		key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", m.tr1(catalog.KeyLangOrder))),
		key.NewBinding(key.WithKeys("esc", "f9"), key.WithHelp("Esc", m.tr1(catalog.KeyBack))),
	}
}

// The labels are in the first language, the values as configured.
func (p settingsPage) View(w, h int) string {
	m := p.m
	notSet := m.tx(catalog.SettingsNotSet)
	or := func(s string) string {
		if s == "" {
			return notSet
		}
		return sanitize.Escape(s)
	}
	dir := notSet
	if k, ok := m.directionKey(); ok {
		dir = m.tx(k)
	}
	if m.opt.Admin.SetDirection != nil {
		dir += "   F7: " + m.tx(catalog.KeyDirection)
	} else {
		dir += "   " + m.tx(catalog.DirectionFixed)
	}
	var langs []string
	for _, l := range m.langs() {
		langs = append(langs, l.Name())
	}
	snap := notSet
	if s := m.stats.Snapshot; s.Present {
		snap = fmt.Sprintf("v%d (%s)", s.Version, m.age(s.Age))
	}
	rows := []struct {
		k catalog.Key
		v string
	}{
		{catalog.SettingsVenue, or(m.opt.Venue)},
		{catalog.SettingsDoor, or(m.opt.Door)},
		{catalog.SettingsDirection, dir},
		{catalog.SettingsLanguages, strings.Join(langs, " · ") + "   ←/→: " + m.tx(catalog.KeyLangOrder)},
		{catalog.SettingsSnapshot, snap},
		{catalog.SettingsStore, or(m.opt.Admin.StorePath)},
		{catalog.SettingsHub, or(m.opt.Admin.HubURL)},
	}
	labelW := 0
	for _, r := range rows {
		labelW = max(labelW, lipgloss.Width(m.tx(r.k)))
	}
	lines := []string{lipgloss.NewStyle().Bold(true).Render(m.fit(w, catalog.SettingsTitle)), ""}
	for _, r := range rows {
		l := m.tx(r.k)
		lines = append(lines, l+strings.Repeat(" ", labelW-lipgloss.Width(l)+2)+r.v)
	}
	lines = append(lines, "", m.fit(w, catalog.SettingsSessionOnly), "Esc: "+m.tx(catalog.KeyBack))
	for i, l := range lines {
		lines[i] = ansiCut(l, w)
	}
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).Render(strings.Join(lines, "\n"))
}
