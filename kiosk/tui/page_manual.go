package tui

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/wedge"
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
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("Esc", p.m.tr1(catalog.KeyBack)))}
}

func (p manualPage) View(w, h int) string {
	m := p.m
	lines := []string{lipgloss.NewStyle().Bold(true).Render(m.fit(w, catalog.ManualTitle)), "", m.manualField(), ""}
	// The feedback in every language, one a line, when the rows allow:
	// it is what the person typing reads.
	fb := m.manualFeedback(m.manual, m.manualHint != "")
	if h >= 16 && len(fb) > 1 {
		lines = append(lines, fb...)
	} else {
		lines = append(lines, fitLangs(w, fb))
	}
	lines = append(lines, "", m.fit(w, catalog.ManualKeys), m.fit(w, catalog.ManualBack))
	return place(w, h, strings.Join(lines, "\n"), lipgloss.NewStyle())
}

// manualFeedback is the line under the field, in each language: the
// count of 12 while typing, the check digit's verdict at 12, or why the
// assembler refused the entry.
func (m *Model) manualFeedback(digits string, refused bool) []string {
	if refused {
		return m.tr(m.refusedKey())
	}
	// The assembler lets in only what an IIN can hold, a layout's
	// digit keys included (undone at Enter): count those too.
	n := utf8.RuneCountInString(digits)
	switch {
	case n > 12:
		return m.tr(catalog.ManualTooLong)
	case n < 12 || len(digits) != 12: // layout keys: checked at Enter
		return m.tr(catalog.ManualCount, n)
	}
	k := catalog.ManualChecksumBad
	if d, ok := pass.IINCheckDigit(digits[:11]); ok && int(digits[11]-'0') == d {
		k = catalog.ManualChecksumOK
	}
	var out []string
	for _, l := range m.langs() {
		sym := "✗ "
		if k == catalog.ManualChecksumOK {
			sym = "✓ "
		}
		out = append(out, m.cat.Lookup(l, catalog.ManualCount, n)+" · "+sym+m.cat.Lookup(l, k))
	}
	return dedupe(out)
}

// refusedKey says why the assembler refused the manual entry: a key that
// is no digit (it shows as wedge.BadKey) or too many.
func (m *Model) refusedKey() catalog.Key {
	if strings.ContainsRune(m.manual, wedge.BadKey) {
		return catalog.ManualRefusedLetters
	}
	return catalog.ManualRefusedLong
}

// refusedText is the assembler's refusal in the first language, for the
// line beside the field; "" when nothing is refused.
func (m *Model) refusedText() string {
	if m.manualHint == "" {
		return ""
	}
	return m.tx(m.refusedKey())
}
