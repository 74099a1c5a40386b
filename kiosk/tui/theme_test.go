package tui

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// rgb is a palette entry, 0xRRGGBB.
type rgb uint32

// terminalPalette is the sixteen colours a terminal shows for the basic
// ANSI colours 0–7 and their bright versions 8–15.
type terminalPalette [16]rgb

// xtermPalette is xterm's default (XTerm-col.ad, charproc.c).
var xtermPalette = terminalPalette{
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
}

// vgaPalette is the Linux console's default (drivers/tty/vt, the VGA
// text-mode colours; colour 3 is brown).
var vgaPalette = terminalPalette{
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
}

// luminance is WCAG 2's relative luminance of c.
func luminance(c rgb) float64 {
	lin := func(v uint32) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(uint32(c)>>16&0xff) + 0.7152*lin(uint32(c)>>8&0xff) + 0.0722*lin(uint32(c)&0xff)
}

// contrast is WCAG 2's contrast ratio of k as the terminal with palette
// p shows it: bold ink in its bright version, as xterm and the console
// draw it.
func contrast(p terminalPalette, k ink) float64 {
	fg := int(k.fg)
	if k.bright {
		fg += 8
	}
	a, b := luminance(p[fg]), luminance(p[k.bg])
	if a < b {
		a, b = b, a
	}
	return (a + 0.05) / (b + 0.05)
}

// TestThemeContrast: every verdict's ink reads at 4.5:1 or better
// (WCAG AA) on the palette its theme is for. The old screen's pairs, bold
// black on green and on yellow, are computed too, and must come out as
// the 1.9:1 and 2.4:1 issue 8 measured, which shows the model of bold as
// bright matches what the terminals draw.
func TestThemeContrast(t *testing.T) {
	for _, tt := range []struct {
		theme   theme
		palette terminalPalette
	}{
		{xtermTheme(), xtermPalette},
		{consoleTheme(), vgaPalette},
	} {
		for name, k := range tt.theme.pairs() {
			c := contrast(tt.palette, k)
			t.Logf("%s %s: %.2f:1", tt.theme.name, name, c)
			if c < 4.5 {
				t.Errorf("%s: %s ink reads at %.2f:1, want at least 4.5:1", tt.theme.name, name, c)
			}
		}
	}
	// Why the console needs its own theme: its yellow is brown.
	if c := contrast(vgaPalette, xtermTheme().yellow); c >= 4.5 {
		t.Errorf("black on the console's brown: %.2f:1; then the console theme needs no yellow of its own", c)
	}
	old := map[string]struct {
		k    ink
		want float64
	}{
		"green":  {ink{bg: green, fg: black, bright: true}, 1.9},
		"yellow": {ink{bg: yellow, fg: black, bright: true}, 2.4},
	}
	for name, o := range old {
		if c := contrast(xtermPalette, o.k); math.Abs(c-o.want) > 0.05 {
			t.Errorf("old bold black on %s computes as %.2f:1, issue 8 measured %.1f:1", name, c, o.want)
		}
	}
}

// cellInk is the ink a terminal draws one printed character with.
type cellInk struct {
	fg, bg int // -1: the terminal's default
	bold   bool
}

// inksDrawn returns the ink of every visible (non-blank) character in a
// rendered view, by following its SGR sequences as a terminal does.
func inksDrawn(t *testing.T, content string) map[cellInk]string {
	t.Helper()
	out := map[cellInk]string{}
	cur := cellInk{fg: -1, bg: -1}
	p := ansi.NewParser()
	var state byte
	for b := []byte(content); len(b) > 0; {
		seq, _, n, next := ansi.DecodeSequence(b, state, p)
		state = next
		b = b[n:]
		switch {
		case seq[0] == ansi.ESC && len(seq) > 1 && seq[1] == '[' && ansi.Cmd(p.Command()).Final() == 'm':
			params := p.Params()
			if len(params) == 0 {
				cur = cellInk{fg: -1, bg: -1}
			}
			for i := 0; i < len(params); i++ {
				v := params[i].Param(0)
				switch {
				case v == 0:
					cur = cellInk{fg: -1, bg: -1}
				case v == 1:
					cur.bold = true
				case v == 22:
					cur.bold = false
				case v >= 30 && v <= 37:
					cur.fg = v - 30
				case v == 39:
					cur.fg = -1
				case v >= 40 && v <= 47:
					cur.bg = v - 40
				case v == 49:
					cur.bg = -1
				case v == 38 || v == 48:
					t.Fatalf("extended colour in %q: the themes use the eight basic colours only", seq)
				}
			}
		case strings.TrimSpace(string(seq)) != "" && seq[0] >= 0x20:
			if _, ok := out[cur]; !ok {
				out[cur] = string(seq)
			}
		}
	}
	return out
}

// TestVerdictInkOnScreen renders every kind of verdict under each theme
// and computes the contrast of every character actually drawn, words and
// block letters alike, on the theme's palette.
func TestVerdictInkOnScreen(t *testing.T) {
	verdicts := map[string]*kiosk.Result{
		"green":         {Verdict: kiosk.Verdict{Decision: kiosk.Admit, HasStatus: true, Status: wire.Green, Subject: "ab12"}},
		"yellow":        {Verdict: kiosk.Verdict{Decision: kiosk.Deny, HasStatus: true, Status: wire.Yellow, Reasons: []reason.Code{reason.Reentry}}},
		"red":           {Verdict: kiosk.Verdict{Decision: kiosk.Deny, HasStatus: true, Status: wire.Red}},
		"blue":          {Verdict: kiosk.Verdict{Decision: kiosk.Admit, HasStatus: true, Status: wire.Blue}},
		"not verified":  {Verdict: kiosk.Verdict{Decision: kiosk.NotVerified, Reasons: []reason.Code{reason.BadChecksum}}},
		"cannot record": {Verdict: kiosk.Verdict{Decision: kiosk.Admit}, Err: errors.New("disk full")},
	}
	for _, tt := range []struct {
		term    string
		palette terminalPalette
	}{{"xterm-256color", xtermPalette}, {"linux", vgaPalette}} {
		for name, r := range verdicts {
			for _, sz := range [][2]int{{40, 12}, {80, 24}, {200, 60}} {
				m := New(context.Background(), Options{Lock: enLock()})
				m.Update(tea.EnvMsg{"TERM=" + tt.term})
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				m.last = r
				body := m.verdictView(*r, sz[1]-2)
				for k, example := range inksDrawn(t, body) {
					if k.fg < 0 || k.bg < 0 {
						t.Errorf("%s %s %dx%d: %q drawn in the terminal's default colours", tt.term, name, sz[0], sz[1], example)
						continue
					}
					c := contrast(tt.palette, ink{bg: basic(k.bg), fg: basic(k.fg), bright: k.bold && k.fg < 8})
					if c < 4.5 {
						t.Errorf("%s %s %dx%d: %q drawn at %.2f:1", tt.term, name, sz[0], sz[1], example, c)
					}
				}
			}
		}
	}
}
