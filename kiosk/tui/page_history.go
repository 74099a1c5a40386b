package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// historyPage lists the last scans, newest first: time, verdict, status,
// last four IIN digits, first reason. It shows as many as fit.
type historyPage struct{ m *Model }

func (p historyPage) Update(tea.Msg) (component, tea.Cmd) { return p, nil }

func (p historyPage) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc", "f3"), key.WithHelp("F3", p.m.tr1(catalog.KeyBack)))}
}

// The history's columns are in the first language (text.go): a row must
// stay one line.
func (p historyPage) View(w, h int) string {
	m := p.m
	lines := []string{lipgloss.NewStyle().Bold(true).Render(m.fit(w, catalog.HistoryTitle))}
	if len(m.history) == 0 {
		lines = append(lines, "", m.fit(w, catalog.HistoryEmpty))
		return place(w, h, strings.Join(lines, "\n"), lipgloss.NewStyle())
	}
	shown := m.history[:min(len(m.history), max(0, h-2))]
	// Each column as wide as its widest cell, heading included. A
	// narrow screen (a handheld) drops the seconds and the status (the
	// word says what matters) and keeps the last four digits whole.
	narrow := w < 60
	clock := "15:04:05"
	if narrow {
		clock = "15:04"
	}
	head := []string{m.tx(catalog.HistoryTime), m.tx(catalog.HistoryVerdict), m.tx(catalog.HistoryStatus),
		m.tx(catalog.HistoryLast4), m.tx(catalog.HistoryReason)}
	table := [][]string{head}
	for _, e := range shown {
		word, status, last4, why := p.cells(e)
		table = append(table, []string{e.at.In(m.opt.Location).Format(clock), word, status, last4, why})
	}
	if narrow {
		for i, r := range table {
			table[i] = []string{r[0], r[3], r[1], r[4]}
		}
		table[0][0] = ""
	}
	cols := make([]int, len(table[0])-1)
	for _, r := range table {
		for i := range cols {
			cols[i] = max(cols[i], lipgloss.Width(r[i]))
		}
	}
	for _, r := range table {
		lines = append(lines, row(cols, r...))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).Render(strings.Join(lines, "\n"))
}

// cells are one scan's verdict word, status, last four digits and
// reason, in the first language. The reason is the catalogue's
// description with its details; the last four digits are digits the
// checker parsed, nothing typed.
func (p historyPage) cells(e historyEntry) (word, status, last4, why string) {
	m := p.m
	word, status, last4 = m.tx(e.word), "—", e.last4
	if last4 == "" {
		last4 = "—"
	}
	if e.hasStatus {
		status = m.tx(catalog.StatusKey(e.status))
	}
	if e.reason != "" {
		why = m.cat.Reason(m.cat.First(), e.reason, e.details)
	}
	if e.repeat {
		why = strings.TrimSpace(why + " (" + m.tx(catalog.Repeat) + ")")
	}
	return word, status, last4, why
}

// row lays cells out in columns of widths cols (the last cell as is).
func row(cols []int, cells ...string) string {
	var b strings.Builder
	for i, c := range cells {
		b.WriteString(c)
		if i < len(cols) {
			b.WriteString(strings.Repeat(" ", max(0, cols[i]-lipgloss.Width(c))+1))
		}
	}
	return strings.TrimRight(b.String(), " ")
}
