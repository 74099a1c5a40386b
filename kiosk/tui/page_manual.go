package tui

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/sync/pass"
)

// manualPage is manual IIN entry with live feedback. The field is the
// wedge assembler's, as on the idle screen (only what an IIN can hold gets
// in, letters are refused with its hint); this page says how far the
// entry is and, at the twelfth digit, whether the check digit is right,
// before Enter spends a visit on a typo.
type manualPage struct{ m *Model }

func (p manualPage) Update(tea.Msg) (component, tea.Cmd) { return p, nil }

func (p manualPage) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", t(keyHelpBack)))}
}

func (p manualPage) View(w, h int) string {
	digits := p.m.manual
	lines := []string{lipgloss.NewStyle().Bold(true).Render(t(keyManualTitle)), "", p.m.manualField(),
		"", manualFeedback(digits, p.m.manualHint)}
	lines = append(lines, "", t(keyManualEnter), t(keyManualHintKeys))
	return place(w, h, strings.Join(lines, "\n"), lipgloss.NewStyle())
}

// manualFeedback is the line under the field: the count of 12 while
// typing, the check digit's verdict at 12, or the assembler's refusal.
func manualFeedback(digits, refused string) string {
	if refused != "" {
		return refused
	}
	// The assembler lets in only what an IIN can hold, a layout's
	// digit keys included (undone at Enter): count those too.
	n := utf8.RuneCountInString(digits)
	switch {
	case n > 12:
		return t(keyManualTooLong)
	case n < 12:
		return t(keyManualCount, n)
	}
	if len(digits) != 12 {
		return t(keyManualCount, n) // layout keys: checked at Enter
	}
	if d, ok := pass.IINCheckDigit(digits[:11]); ok && int(digits[11]-'0') == d {
		return t(keyManualCount, n) + " · " + t(keyManualGood)
	}
	return t(keyManualCount, n) + " · " + t(keyManualBad)
}
