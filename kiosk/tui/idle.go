package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/qrimage"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// idleView is the screen between scans: venue, door and direction large,
// "scan your pass", the clock, the manual field, the door's QR code when
// there is room for it beside or under the text, and on a demo kiosk the
// DEMO banner and the sample passes (all of them under F5).
func (m *Model) idleView(w, h int) string {
	bold := lipgloss.NewStyle().Bold(true)
	var top []string
	if m.opt.Demo {
		top = append(top, lipgloss.NewStyle().Reverse(true).Bold(true).Width(w).Align(lipgloss.Center).
			Render(ansiCut(m.fit(w, catalog.DemoBanner), w)))
		h--
	}
	var text []string
	if place := m.venueLine(); place != "" {
		text = append(text, bold.Render(place))
	}
	// The QR code goes beside the text when both fit, under it when the
	// height allows, and not at all on a small screen.
	qr, qrW, qrH := strings.TrimSuffix(m.qr, "\n"), 0, 0
	if qr != "" {
		qrW, qrH = lipgloss.Width(qr), lipgloss.Height(qr)+1
	}
	textW := w
	qrSide := qr != "" && w >= qrW+44 && h >= qrH
	if qrSide {
		textW = w - qrW - 2
	}
	// The direction in block letters when it takes at most a third of
	// the screen, so "scan your pass" and the field keep their room: in
	// the first language the font can draw, every language under it.
	if dk, ok := m.directionKey(); ok {
		words := m.tr(dk)
		big, drawn := "", false
		if h >= 16 {
			for _, word := range words {
				if big, drawn = m.bigText([]string{word}, textW, max(0, h/3)); drawn {
					break
				}
			}
		}
		if drawn {
			text = append(text, big)
		}
		if !drawn || len(words) > 1 {
			text = append(text, bold.Render(fitLangs(textW, words)))
		}
	}
	// "Scan your pass" in every language: one a line where the rows
	// allow, else on one line when it fits, else the first.
	text = append(text, "")
	if scan := m.tr(catalog.ScanPass); h >= 16 {
		for _, s := range scan {
			text = append(text, bold.Render(ansiCut(s, textW)))
		}
	} else {
		text = append(text, bold.Render(ansiCut(fitLangs(textW, scan), textW)))
	}
	if h >= 16 && (len(m.langs()) == 1 || h >= 30) {
		// On a handheld the field and the clock matter more; with
		// several languages the prompt above took the rows.
		text = append(text, m.fit(textW, catalog.IdleHint)) // wraps, as place does
	}
	text = append(text, m.enrollOffer(textW, h)...) // enroll.go: a kiosk with no config
	text = append(text, "", m.manualField())
	if hint := m.refusedText(); hint != "" {
		text = append(text, hint)
	}
	text = append(text, "", m.opt.Now().In(m.opt.Location).Format("15:04:05"))
	if m.opt.Demo {
		text = append(text, "", m.fit(textW, catalog.DemoMore))
	}
	if hint := m.lockHint(h); len(hint) > 0 { // lock.go: how to set a PIN, or the demo's
		for i := range hint {
			hint[i] = ansiCut(hint[i], textW)
		}
		text = append(append(text, ""), hint...)
	}
	body := strings.Join(text, "\n")
	if qr != "" {
		code := lipgloss.JoinVertical(lipgloss.Center, qr, m.fit(qrW, catalog.PhoneHint))
		switch {
		case qrSide:
			body = m.memo.get(memoKey("qrside", textW, 0, body, code), func() string {
				return lipgloss.JoinHorizontal(lipgloss.Center,
					lipgloss.NewStyle().Width(textW).Align(lipgloss.Center).Render(body), "  ", code)
			})
		case h >= lipgloss.Height(body)+qrH+1 && w >= qrW:
			body = body + "\n\n" + code
		}
	}
	if m.opt.Demo {
		if samples := m.sampleLines(w); h >= lipgloss.Height(body)+len(samples)+1 {
			body += "\n\n" + strings.Join(samples, "\n")
		}
	}
	return m.memo.get(memoKey("idle", w, h, append(slices.Clip(top), body)...), func() string {
		return lipgloss.JoinVertical(lipgloss.Left, append(slices.Clip(top), place(w, h, body, lipgloss.NewStyle()))...)
	})
}

// venueLine is "venue · door" as configured, escaped.
func (m *Model) venueLine() string {
	var parts []string
	for _, s := range []string{m.opt.Venue, m.opt.Door} {
		if s != "" {
			parts = append(parts, sanitize.Escape(s))
		}
	}
	return strings.Join(parts, " · ")
}

// directionKey is ENTRY or EXIT, from the door's direction; false when
// none is configured.
func (m *Model) directionKey() (catalog.Key, bool) {
	switch m.opt.Direction {
	case "entry":
		return catalog.Entry, true
	case "exit":
		return catalog.Exit, true
	}
	return "", false
}

// sampleLines lists the demo passes, "label  payload  → what it gets",
// each cut to w.
func (m *Model) sampleLines(w int) []string {
	if len(m.opt.Samples) == 0 {
		return nil
	}
	lines := []string{m.fit(w, catalog.DemoSamples)}
	lw := 0
	for _, s := range m.opt.Samples {
		lw = max(lw, lipgloss.Width(sanitize.Escape(s.Label)))
	}
	for _, s := range m.opt.Samples {
		l := fmt.Sprintf("%-*s  %s", lw, sanitize.Escape(s.Label), sanitize.Escape(s.Payload))
		if s.Expect != "" {
			l += "  → " + sanitize.Escape(s.Expect)
		}
		lines = append(lines, ansiCut(l, w))
	}
	// One width for all, so the list stays a left-aligned block when the
	// screen centres it.
	bw := 0
	for _, l := range lines {
		bw = max(bw, lipgloss.Width(l))
	}
	for i, l := range lines {
		lines[i] = l + strings.Repeat(" ", bw-lipgloss.Width(l))
	}
	return lines
}

// doorQR is the QR code's content when none is configured: the venue and
// door, for a phone check-in app to read.
func doorQR(venue, door string) string {
	if venue == "" && door == "" {
		return ""
	}
	return "doorcheck:venue=" + venue + ";door=" + door
}

// renderQR draws payload for the terminal, "" when it cannot be drawn.
func renderQR(payload string) string {
	if payload == "" {
		return ""
	}
	s, err := qrimage.RenderHalfBlocks(payload)
	if err != nil {
		return ""
	}
	return s
}
