package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/scanner/wedge"
)

// A kiosk started with no config runs the demo and offers, on the idle
// screen, to be set up by scanning the enrollment code `doorcheck-hub
// enroll` printed. A scan that is such a code is never checked as a pass
// (nor recorded, nor logged: it holds a one-time secret): it opens a
// dialog that shows the hub and its key fingerprint from the code and
// asks for Enter. Enter provisions the kiosk (EnrollOptions.Provision,
// the code `doorcheck provision --code` runs), and once the config is
// written the program ends so the caller can start the real kiosk.

// EnrollOptions offer provisioning on a kiosk that has no config.
type EnrollOptions struct {
	// Parse says whether a payload is an enrollment code, and what it
	// names; false for anything else, which is checked as usual.
	Parse func(payload string) (Enrollment, bool)
	// Provision sets the kiosk up with the code. It runs off the screen's
	// loop, bounded by the screen's context. A nil error, or an
	// EnrollResult with Written, means the config is in place.
	Provision func(ctx context.Context, code string) (EnrollResult, error)
}

// Enrollment is what an enrollment code names.
type Enrollment struct {
	HubURL         string // as in the code; the screen escapes it
	KeyFingerprint string // the hub key's fingerprint as enroll prints it
}

// EnrollResult is a provisioning's outcome.
type EnrollResult struct {
	// Written: the config and credential are in place (even when the
	// first snapshot could not be fetched).
	Written bool
	// Venue and Door as the hub enrolled this kiosk.
	Venue, Door string
	// NoData: the first snapshot could not be fetched yet.
	NoData bool
}

// EnrollScanMsg delivers a serial scan the caller recognised as an
// enrollment code (Parse) to the screen, instead of to the checker.
type EnrollScanMsg string

// Messages of the enrollment dialog.
type (
	enrollDoneMsg struct {
		res EnrollResult
		err error
	}
	enrollQuitMsg struct{}
)

// enrollQuitAfter is how long "Kiosk set up" stays before the screen
// ends and the real kiosk starts.
const enrollQuitAfter = 2 * time.Second

// enrollEnterGuard ignores an Enter this soon after the dialog opened:
// a scanner ending its code with CR LF sends a second Enter, which must
// not confirm on the person's behalf.
const enrollEnterGuard = 700 * time.Millisecond

type enrollState int

const (
	enrollAsk enrollState = iota
	enrollWorking
	enrollFailed
	enrollDone
)

// enrollDialog asks, works, then says how it went.
type enrollDialog struct {
	m      *Model
	code   string
	en     Enrollment
	opened time.Time
	state  enrollState
	res    EnrollResult
	err    string // sanitized
}

// enrollUpdate handles the enrollment messages; ok is false for every
// other message.
func (m *Model) enrollUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case EnrollScanMsg:
		return m.offerEnroll(string(msg)), true
	case enrollDoneMsg:
		if d, ok := m.dialog.(*enrollDialog); ok {
			return d.finished(msg), true
		}
		return nil, true
	case enrollQuitMsg:
		return tea.Quit, true
	}
	return nil, false
}

// isEnrollCode reports whether a payload is an enrollment code this
// screen offers to take.
func (m *Model) isEnrollCode(payload string) bool {
	if m.opt.Enroll.Parse == nil {
		return false
	}
	_, ok := m.opt.Enroll.Parse(payload)
	return ok
}

// offerEnroll opens the confirmation for an enrollment code. A code
// scanned while the dialog is open (the same one twice, say) changes
// nothing.
func (m *Model) offerEnroll(code string) tea.Cmd {
	en, ok := m.opt.Enroll.Parse(code)
	if !ok {
		return nil
	}
	if _, open := m.dialog.(*enrollDialog); open {
		return nil
	}
	m.last = nil // the dialog, not a verdict
	m.openDialog(&enrollDialog{m: m, code: code, en: en, opened: m.opt.Now()})
	return nil
}

// enrollEnter gives a bare Enter (a person's, on an empty field) to the
// enrollment dialog; ok is false when the key is not for it.
func (m *Model) enrollEnter(k tea.KeyPressMsg, wks []wedge.Key, now time.Time) (tea.Cmd, bool) {
	if _, open := m.dialog.(*enrollDialog); !open || k.Code != tea.KeyEnter {
		return nil, false
	}
	var outs []wedge.Output
	for _, wk := range wks {
		outs = append(outs, m.keyboard.Feed(wk, now)...)
	}
	if len(outs) > 0 {
		// Enter ended a scan or a typed entry: that is what it was for.
		return m.onWedge(outs...), true
	}
	return m.toDialog(enrollConfirmMsg{now}), true
}

// enrollConfirmMsg is a bare Enter, sent to the dialog.
type enrollConfirmMsg struct{ at time.Time }

func (d *enrollDialog) Update(msg tea.Msg) (component, tea.Cmd) {
	switch msg := msg.(type) {
	case dialogKeyMsg:
		if tea.KeyPressMsg(msg).Code == tea.KeyEscape && d.state != enrollWorking && d.state != enrollDone {
			return nil, nil
		}
	case enrollConfirmMsg:
		if d.state != enrollAsk || msg.at.Sub(d.opened) < enrollEnterGuard {
			return d, nil
		}
		d.state = enrollWorking
		ctx, provision, code := d.m.ctx, d.m.opt.Enroll.Provision, d.code
		return d, func() tea.Msg {
			res, err := provision(ctx, code)
			return enrollDoneMsg{res, err}
		}
	}
	return d, nil
}

// finished shows the outcome: set up (then the screen ends), or why not.
func (d *enrollDialog) finished(msg enrollDoneMsg) tea.Cmd {
	d.res = msg.res
	if msg.err == nil || msg.res.Written {
		d.state = enrollDone
		return tea.Tick(enrollQuitAfter, func(time.Time) tea.Msg { return enrollQuitMsg{} })
	}
	d.state = enrollFailed
	d.err = sanitize.EscapeLimit(msg.err.Error(), 300)
	return nil
}

func (d *enrollDialog) View(w, h int) string {
	m := d.m
	inner := max(10, min(w-6, 100))
	wrap := func(s string) string { return lipgloss.NewStyle().Width(inner).Render(s) }
	var lines []string
	add := func(k catalog.Key, args ...any) {
		for _, s := range m.tr(k, args...) {
			lines = append(lines, wrap(s))
		}
	}
	bold := lipgloss.NewStyle().Bold(true)
	switch d.state {
	case enrollAsk:
		lines = append(lines, bold.Render(fitLangs(inner, m.tr(catalog.EnrollTitle))), "")
		lines = append(lines, wrap(m.tx(catalog.EnrollHub, sanitize.Escape(d.en.HubURL))))
		lines = append(lines, wrap(m.tx(catalog.EnrollKey, sanitize.Escape(d.en.KeyFingerprint))), "")
		add(catalog.EnrollCompare)
		lines = append(lines, "", fitLangs(inner, []string{
			"Enter " + m.tr1(catalog.EnrollConfirmKey) + "  ·  Esc " + m.tr1(catalog.KeyCancel),
			"Enter " + m.tx(catalog.EnrollConfirmKey) + "  ·  Esc " + m.tx(catalog.KeyCancel)}))
	case enrollWorking:
		lines = append(lines, bold.Render(fitLangs(inner, m.tr(catalog.EnrollTitle))), "")
		add(catalog.EnrollWorking)
	case enrollFailed:
		add(catalog.EnrollFailed, d.err)
		lines = append(lines, "", fitLangs(inner, []string{"Esc " + m.tr1(catalog.EnrollBack), "Esc " + m.tx(catalog.EnrollBack)}))
	case enrollDone:
		place := strings.Join(nonEmpty(sanitize.Escape(d.res.Venue), sanitize.Escape(d.res.Door)), " · ")
		add(catalog.EnrollDone, place)
		if d.res.NoData {
			add(catalog.EnrollNoData)
		}
		lines = append(lines, "")
		add(catalog.EnrollStarting)
	}
	return dialogBox(strings.Join(lines, "\n"), w, h)
}

func (d *enrollDialog) Keys() []key.Binding {
	if d.state != enrollAsk {
		return nil
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("Enter", d.m.tr1(catalog.EnrollConfirmKey))),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", d.m.tr1(catalog.KeyCancel))),
	}
}

// enrollOffer is the idle screen's line saying how to set the kiosk up,
// one line per language (wrapped to w) when h allows, else one.
func (m *Model) enrollOffer(w, h int) []string {
	if m.opt.Enroll.Parse == nil {
		return nil
	}
	if h < 20 {
		return []string{ansiCut(m.fit(w, catalog.EnrollOffer), w)}
	}
	var out []string
	for _, s := range m.tr(catalog.EnrollOffer) {
		out = append(out, lipgloss.NewStyle().Width(w).Align(lipgloss.Center).Render(s))
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
