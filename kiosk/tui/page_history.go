package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/sync/reason"
)

// historyPage lists the last scans, newest first: time, verdict, status,
// last four IIN digits, first reason. It shows as many as fit.
type historyPage struct{ m *Model }

func (p historyPage) Update(tea.Msg) (component, tea.Cmd) { return p, nil }

func (p historyPage) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc", "f3"), key.WithHelp("F3", t(keyHelpBack)))}
}

func (p historyPage) View(w, h int) string {
	lines := []string{lipgloss.NewStyle().Bold(true).Render(t(keyHistoryTitle))}
	if len(p.m.history) == 0 {
		lines = append(lines, "", t(keyHistoryEmpty))
		return place(w, h, strings.Join(lines, "\n"), lipgloss.NewStyle())
	}
	lines = append(lines, t(keyHistoryHead))
	for _, e := range p.m.history[:min(len(p.m.history), max(0, h-2))] {
		lines = append(lines, p.row(e))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).Render(strings.Join(lines, "\n"))
}

// row is one scan. The reason is the screen's own description; the last
// four digits are digits the checker parsed, nothing typed.
func (p historyPage) row(e historyEntry) string {
	last4 := e.last4
	if last4 == "" {
		last4 = "—"
	}
	status := e.status
	if status == "" {
		status = "—"
	}
	why := ""
	if e.reason != "" {
		why = reason.Describe(e.reason)
	}
	if e.repeat {
		why = strings.TrimSpace(why + " (" + strRepeat + ")")
	}
	return fmt.Sprintf("%s %-14s %-7s %-5s %s", e.at.In(p.m.opt.Location).Format("15:04:05"), e.word, status, last4, why)
}
