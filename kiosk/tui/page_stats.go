package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/sync/reason"
)

// statsPage is today's counters: entries, exits, inside now against the
// capacity, denials by reason, not verified, overrides and undos, and an
// hourly bar chart of entries. Counters come from kiosk.Checker.Stats
// (the store's day counters); the hours from the visit log (hourly.go).
type statsPage struct{ m *Model }

func (p statsPage) Update(tea.Msg) (component, tea.Cmd) { return p, nil }

func (p statsPage) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc", "f4"), key.WithHelp("F4", p.m.tr1(catalog.KeyBack)))}
}

// The counters' labels are in the first language (text.go), so the
// numbers stay in one column; the reasons of the denials in every
// language when they fit.
func (p statsPage) View(w, h int) string {
	m := p.m
	bold := lipgloss.NewStyle().Bold(true)
	lines := []string{bold.Render(m.fit(w-len(m.stats.Day)-1, catalog.StatsTitle) + " " + m.stats.Day)}
	if m.statsErr != nil {
		lines = append(lines, bold.Render(m.fit(w, catalog.StatsUnavailable)))
	}
	c := m.stats.Counters
	inside := fmt.Sprint(c.Inside)
	if m.opt.Capacity > 0 {
		inside = fmt.Sprintf("%d / %d", c.Inside, m.opt.Capacity)
	}
	denied := 0
	for _, n := range c.Denied {
		denied += n
	}
	counters := []struct {
		k catalog.Key
		v any
	}{
		{catalog.StatsEntries, c.Entries}, {catalog.StatsExits, c.Exits}, {catalog.StatsInside, inside},
		{catalog.StatsNotVerified, c.NotVerified}, {catalog.StatsOverrides, m.hourly.overrides},
		{catalog.StatsUndos, c.Undos}, {catalog.StatsDenied, denied},
	}
	labelW := 14
	for _, kv := range counters {
		labelW = max(labelW, lipgloss.Width(m.tx(kv.k)))
	}
	for _, kv := range counters {
		l := m.tx(kv.k)
		lines = append(lines, fmt.Sprintf("%s%s %v", l, strings.Repeat(" ", labelW-lipgloss.Width(l)), kv.v))
	}
	codes := make([]reason.Code, 0, len(c.Denied))
	for code := range c.Denied {
		codes = append(codes, code)
	}
	// Most frequent first, then by code, so the page does not shuffle.
	slices.SortFunc(codes, func(a, b reason.Code) int {
		if c.Denied[a] != c.Denied[b] {
			return c.Denied[b] - c.Denied[a]
		}
		return strings.Compare(string(a), string(b))
	})
	for _, code := range codes {
		lines = append(lines, fmt.Sprintf("  %4d  %s", c.Denied[code], fitLangs(w-8, m.cat.Reasons(code, catalog.Details{}))))
	}
	if rows := h - len(lines) - 2; rows >= 3 {
		lines = append(lines, "", m.fit(w, catalog.StatsHourly))
		lines = append(lines, hourChart(m.hourly.entries, w, min(rows-1, 12))...)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).Render(strings.Join(lines, "\n"))
}

// hourChart draws entries per hour as vertical bars, rows tall, with the
// hours under them: one column per hour when 24 fit, two when 48 do,
// three (with the hour numbers) from 72 columns.
func hourChart(hours [24]int, w, rows int) []string {
	col := 1
	switch {
	case w >= 24*3:
		col = 3
	case w >= 24*2:
		col = 2
	case w < 24:
		return []string{fmt.Sprintf("%v", hours)}
	}
	top := slices.Max(hours[:])
	out := make([]string, 0, rows+1)
	for r := rows - 1; r >= 0; r-- {
		var b strings.Builder
		for _, n := range hours {
			full := top > 0 && n*rows > r*top // bar height n/top of rows
			cell := strings.Repeat(" ", col)
			if full {
				cell = strings.Repeat("█", col-min(col-1, 1)) + strings.Repeat(" ", min(col-1, 1))
			}
			b.WriteString(cell)
		}
		out = append(out, b.String())
	}
	var axis strings.Builder
	for hr := range 24 {
		switch {
		case col == 3:
			fmt.Fprintf(&axis, "%02d ", hr)
		case hr%6 == 0:
			label := fmt.Sprintf("%-*d", 6*col, hr)
			axis.WriteString(label)
		}
	}
	out = append(out, axis.String())
	if top > 0 {
		out[0] = ansi.Truncate(out[0], w-len(fmt.Sprint(top))-1, "") + " " + fmt.Sprint(top)
	}
	return out
}
