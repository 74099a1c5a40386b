package tui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// View renders the whole screen.
func (m *Model) View() tea.View {
	bottom := m.bottomLines()
	mainHeight := max(1, m.height-len(bottom))
	body := m.body(mainHeight)
	v := tea.NewView(lipgloss.JoinVertical(lipgloss.Left, append([]string{body}, bottom...)...))
	v.AltScreen = true
	v.WindowTitle = m.title()
	return v
}

// title names the verdict on screen in the terminal's title, for desktop
// terminals, screen readers and tests; the big letters are not text.
func (m *Model) title() string {
	if m.last == nil {
		return "doorcheck"
	}
	if m.last.Err != nil && !m.last.Verdict.Recorded {
		return "doorcheck: " + strCannotRecord
	}
	return "doorcheck: " + decisionWord(m.last.Verdict)
}

// manualField draws the manual field. The assembler lets into it only
// what an IIN can hold; it is escaped all the same, as everything typed.
func (m *Model) manualField() string {
	return strManualPrompt + sanitize.Escape(m.manual) + "█"
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
	case r.Err != nil && !v.Recorded && v.Decision != "" && r.Source != "undo":
		lines = []string{strCannotRecord, "", strCannotRecordHn, "", sanitize.Escape(r.Err.Error())}
		k = m.theme.alarm
	case r.Err != nil:
		lines = []string{sanitize.Escape(r.Err.Error())}
	default:
		if v.HasStatus && v.Decision != kiosk.Undone {
			k = m.theme.status(v.Status)
		}
		var rest []string
		if v.HasStatus {
			rest = append(rest, "", strings.ToUpper(v.StatusName()))
		}
		if len(v.Reasons) > 0 {
			rest = append(rest, "")
			for _, c := range v.Reasons {
				rest = append(rest, reasonLine(v, c, m.opt.Location))
			}
		}
		if v.Repeat {
			rest = append(rest, "", strRepeat)
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
	return place(m.width, h, strings.Join(lines, "\n"), k.style())
}

// headline draws the verdict's symbol and word in the largest block
// letters that fit the width and rows (at most headlineShare of the
// screen, so the reasons below stay in proportion), and as plain text
// when none do.
func (m *Model) headline(v kiosk.Verdict, rows int) (string, bool) {
	word := decisionWord(v)
	sym, plain := m.symbol(v)
	rows = min(rows, max(m.height*headlineShare/100, minHeadlineRows))
	words := strings.Fields(word)
	if sym != 0 {
		words = append([]string{string(sym)}, words...)
	}
	if big, ok := bigText(words, m.width, rows); ok {
		return big, true
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
// an IIN's last four digits (never the subject hash, which no card
// shows), a pass's window, when the status ends; and the data version.
func (m *Model) verdictFooter(v kiosk.Verdict) string {
	loc := m.opt.Location
	parts := []string{v.At.In(loc).Format("15:04:05")}
	if v.IINLast4 != "" {
		parts = append(parts, t(keyVerdictIIN, sanitize.Escape(v.IINLast4)))
	}
	if !v.PassUntil.IsZero() {
		parts = append(parts, t(keyVerdictWindow, shortTime(v.PassFrom, v.At, loc), shortTime(v.PassUntil, v.At, loc)))
	}
	if !v.StatusUntil.IsZero() && v.HasStatus {
		parts = append(parts, t(keyVerdictUntil, shortTime(v.StatusUntil, v.At, loc)))
	}
	if v.SnapshotVersion != 0 {
		parts = append(parts, t(keyVerdictData, v.SnapshotVersion))
	}
	return strings.Join(parts, " · ")
}

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
		if m.manualHint != "" {
			field += " " + m.manualHint
		}
		lines = append(lines, ansi.Truncate(field, m.width, "…"))
	}
	if m.notice != "" {
		lines = append(lines, lipgloss.NewStyle().Bold(true).MaxWidth(m.width).Render(m.notice))
	}
	return lines
}
