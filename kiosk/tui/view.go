package tui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

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
	var body string
	if m.last == nil {
		body = m.idleView(mainHeight)
	} else {
		body = m.verdictView(*m.last, mainHeight)
	}
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

func (m *Model) idleView(h int) string {
	lines := []string{lipgloss.NewStyle().Bold(true).Render(strIdleTitle), "", strIdleHint, "", m.manualField()}
	if m.manualHint != "" {
		lines = append(lines, m.manualHint)
	}
	return place(m.width, h, strings.Join(lines, "\n"), lipgloss.NewStyle())
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
		lines = append(lines, m.headline(decisionWord(v), h))
		if v.HasStatus {
			lines = append(lines, "", strings.ToUpper(v.StatusName()))
		}
		if len(v.Reasons) > 0 {
			lines = append(lines, "")
			for _, c := range v.Reasons {
				lines = append(lines, reasonLine(v, c, m.opt.Location))
			}
		}
		if v.Repeat {
			lines = append(lines, "", strRepeat)
		}
		lines = append(lines, "", m.verdictFooter(v))
	}
	return place(m.width, h, strings.Join(lines, "\n"), k.style())
}

// headline draws the verdict word in block letters when the screen has
// room for them and the reasons below, and as plain bold text otherwise.
func (m *Model) headline(word string, h int) string {
	if bigTextWidth(word) <= m.width-2 && h >= 16 {
		return bigText(word)
	}
	return word
}

func (m *Model) verdictFooter(v kiosk.Verdict) string {
	parts := []string{v.At.In(m.opt.Location).Format("15:04:05")}
	if v.Subject != "" {
		parts = append(parts, "subject "+sanitize.Escape(v.Subject))
	}
	if v.SnapshotVersion != 0 {
		parts = append(parts, fmt.Sprintf("data v%d", v.SnapshotVersion))
	}
	return strings.Join(parts, " · ")
}

// bottomLines are the status bar, the notice line and the help line.
func (m *Model) bottomLines() []string {
	bar := lipgloss.NewStyle().Reverse(true).Width(m.width)
	lines := []string{bar.Render(ansi.Truncate(m.statusBar(), m.width, "…"))}
	if m.last != nil && m.manual != "" {
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
	if m.showHelp {
		lines = append(lines, m.help.View(m.keys))
	}
	return lines
}

func (m *Model) statusBar() string {
	s := m.stats
	var parts []string
	if m.opt.Title != "" {
		parts = append(parts, sanitize.Escape(m.opt.Title))
	}
	switch {
	case m.statsErr != nil:
		parts = append(parts, "stats unavailable")
	case !s.Snapshot.Present:
		parts = append(parts, "NO STATUS DATA")
	case s.Snapshot.ClockBehind:
		parts = append(parts, "CLOCK WRONG")
	default:
		age := human(s.Snapshot.Age)
		if s.Snapshot.Stale {
			parts = append(parts, fmt.Sprintf("DATA STALE v%d (%s old)", s.Snapshot.Version, age))
		} else {
			parts = append(parts, fmt.Sprintf("data v%d (%s old)", s.Snapshot.Version, age))
		}
	}
	c := s.Counters
	parts = append(parts, fmt.Sprintf("inside %d", c.Inside), fmt.Sprintf("in %d out %d", c.Entries, c.Exits))
	if s.Pending > 0 {
		parts = append(parts, fmt.Sprintf("%d to upload", s.Pending))
	}
	for _, src := range slices.Sorted(maps.Keys(m.scannerOK)) {
		if !m.scannerOK[src] {
			parts = append(parts, "SCANNER DISCONNECTED")
		}
	}
	parts = append(parts, syncWords(m.opt.Sync.SyncState()))
	parts = append(parts, "F1 help")
	return " " + strings.Join(parts, " · ")
}

// syncWords says in a few words how the kiosk stands with its hub.
func syncWords(s kiosk.SyncState) string {
	switch s.Connectivity {
	case kiosk.NoHub:
		return strNoHub
	case kiosk.Online:
		return strOnline
	case kiosk.Revoked:
		return strRevoked
	}
	return strOffline
}
