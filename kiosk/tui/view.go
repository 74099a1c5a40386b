package tui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// View renders the whole screen.
func (m *Model) View() tea.View {
	bottom := m.bottomLines()
	mainHeight := max(1, m.height-len(bottom))
	body := m.body(mainHeight)
	v := tea.NewView(m.joinScreen(body, bottom))
	v.AltScreen = true
	v.WindowTitle = m.title()
	return v
}

// title names the verdict on screen in the terminal's title, in every
// configured language, for desktop terminals, screen readers and tests;
// the big letters are not text.
func (m *Model) title() string {
	if m.last == nil {
		return "doorcheck"
	}
	if m.last.Err != nil && !m.last.Verdict.Recorded {
		return "doorcheck: " + m.tr1(catalog.CannotRecord)
	}
	return "doorcheck: " + m.tr1(decisionKey(m.last.Verdict))
}

// manualField draws the manual field. The assembler lets into it only
// what an IIN can hold; it is escaped all the same, as everything typed.
func (m *Model) manualField() string {
	return m.tx(catalog.ManualPrompt) + sanitize.Escape(m.manual) + "█"
}

// place centres content in a w×h area filled with style's background,
// wrapping lines wider than the area and cutting what does not fit, so no
// terminal size breaks the layout.
func place(w, h int, content string, style lipgloss.Style) string {
	content = style.Width(w).Align(lipgloss.Center).Render(content)
	content = lipgloss.NewStyle().MaxHeight(h).Render(content)
	return style.Render(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, content,
		lipgloss.WithWhitespaceStyle(style)))
}

// verdictView fills the area with the status colour the verdict earned;
// a payload that was not verified, or a visit that could not be recorded,
// earns no status colour at all.
func (m *Model) verdictView(r kiosk.Result, h int) string {
	v := r.Verdict
	k := m.theme.neutral
	var lines []string
	switch {
	case failedToRecord(r):
		lines = append(append(m.tr(catalog.CannotRecord), ""), m.tr(catalog.CannotRecordHint)...)
		lines = append(lines, "", sanitize.Escape(r.Err.Error()))
		k = m.theme.alarm
	case r.Err != nil:
		lines = []string{sanitize.Escape(r.Err.Error())}
	default:
		if v.HasStatus && v.Decision != kiosk.Undone {
			k = m.theme.status(v.Status)
		}
		// Under the block letters: the word in every language, the
		// status, the reasons with their details, the footer.
		var rest []string
		if words := m.tr(decisionKey(v)); len(words) > 1 {
			rest = append(rest, fitLangs(m.width, words))
		}
		if v.HasStatus {
			rest = append(rest, "", m.fit(m.width, catalog.StatusKey(v.Status)))
		}
		if len(v.Reasons) > 0 {
			rest = append(rest, "")
			d := m.details(v)
			// A wall screen stacks a reason's languages when they do
			// not fit on one line; a smaller one shows the first.
			stack := h >= 40
			for _, c := range v.Reasons {
				rest = append(rest, m.reasonLines(c, d, m.width, stack)...)
			}
		}
		if v.Repeat {
			rest = append(rest, "", m.fit(m.width, catalog.Repeat))
		}
		rest = append(rest, "", m.verdictFooter(v))
		head, big := m.headline(v, h-len(rest))
		if !big {
			// A small screen: the block letters before the blank lines.
			compact := slices.DeleteFunc(slices.Clone(rest), func(l string) bool { return l == "" })
			if head2, big2 := m.headline(v, h-len(compact)-1); big2 {
				head, rest = head2, append([]string{""}, compact...)
			}
		}
		lines = append([]string{head}, rest...)
	}
	return m.place(m.width, h, strings.Join(lines, "\n"), k.style())
}

// headline draws the verdict's symbol and word in the largest block
// letters that fit the width and rows (at most headlineShare of the
// screen, so the reasons below stay in proportion), and as plain text
// when none do.
//
// The word is the first configured language's the block font can draw
// (the others are written under it, see verdictView); plain text is the
// first language's.
func (m *Model) headline(v kiosk.Verdict, rows int) (string, bool) {
	all := m.tr(decisionKey(v))
	word := all[0]
	sym, plain := m.symbol(v)
	rows = min(rows, max(m.height*headlineShare/100, minHeadlineRows))
	for _, w := range all {
		words := strings.Fields(w)
		if sym != 0 {
			words = append([]string{string(sym)}, words...)
		}
		if big, ok := m.bigText(words, m.width, rows); ok {
			return big, true
		}
	}
	if plain != "" {
		return plain + " " + word, false
	}
	return word, false
}

// headlineShare is the most of the screen's height, in per cent, the
// verdict word takes.
const headlineShare = 50

// minHeadlineRows is what the verdict word may take on a small screen
// whatever its share: there the word matters more than the proportion.
const minHeadlineRows = 8

// symbol returns the verdict's symbol as a block-font glyph and as text
// the theme's terminal can show; 0 and "" for none.
func (m *Model) symbol(v kiosk.Verdict) (rune, string) {
	switch v.Decision {
	case kiosk.Admit, kiosk.Override:
		return '✔', m.theme.symbols.admit
	case kiosk.Deny:
		return '✖', m.theme.symbols.deny
	case kiosk.Undone:
		return 0, ""
	}
	return '?', m.theme.symbols.unknown
}

// verdictFooter is the time, then what a guard compares with the visitor:
// a DCC holder, an IIN's last four digits (never the subject hash, which
// no card shows), a pass's window; then, only while the line still fits
// the screen's width, when the status ends and the data version. Those
// two are dropped whole rather than wrapped: on a small screen a wrapped
// footer's last row is the one the height cuts, leaving half a phrase.
func (m *Model) verdictFooter(v kiosk.Verdict) string {
	loc := m.opt.Location
	parts := []string{v.At.In(loc).Format("15:04:05")}
	if h := m.holderPart(v); h != "" {
		parts = append(parts, h)
	}
	if v.IINLast4 != "" {
		parts = append(parts, m.tx(catalog.Subject, sanitize.Escape(v.IINLast4)))
	}
	if !v.PassUntil.IsZero() {
		parts = append(parts, m.tx(catalog.PassWindow, shortTime(v.PassFrom, v.At, loc), shortTime(v.PassUntil, v.At, loc)))
	}
	line := strings.Join(parts, footerSep)
	var optional []string
	if !v.StatusUntil.IsZero() && v.HasStatus {
		optional = append(optional, m.tx(catalog.StatusUntil, shortTime(v.StatusUntil, v.At, loc)))
	}
	if v.SnapshotVersion != 0 {
		optional = append(optional, m.tx(catalog.DataVer, v.SnapshotVersion))
	}
	for _, p := range optional {
		if lipgloss.Width(line+footerSep+p) > m.width {
			break
		}
		line += footerSep + p
	}
	return line
}

// footerSep separates the verdict footer's parts.
const footerSep = " · "

// shortTime is tm as 15:04 on the day of now, with the date otherwise.
func shortTime(tm, now time.Time, loc *time.Location) string {
	tm, now = tm.In(loc), now.In(loc)
	if tm.YearDay() == now.YearDay() && tm.Year() == now.Year() {
		return tm.Format("15:04")
	}
	return tm.Format("2006-01-02 15:04")
}

// bottomLines are the status bar, the notice line and the help line.
func (m *Model) bottomLines() []string {
	bar := lipgloss.NewStyle().Reverse(true).Width(m.width)
	var lines []string
	for _, l := range m.statusBar() {
		lines = append(lines, bar.Render(l))
	}
	if m.last != nil && m.manual != "" && m.dialog == nil {
		// Someone is typing while a verdict shows: keep their text visible.
		field := m.manualField()
		if hint := m.refusedText(); hint != "" {
			field += " " + hint
		}
		lines = append(lines, ansi.Truncate(field, m.width, "…"))
	}
	if m.notice != "" {
		lines = append(lines, lipgloss.NewStyle().Bold(true).MaxWidth(m.width).Render(m.notice))
	}
	return lines
}
