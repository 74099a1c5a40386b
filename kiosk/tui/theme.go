package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// basic is one of the eight basic ANSI colours, the only ones every
// terminal the kiosk meets has: the Linux console has no others, and
// what each looks like is up to the terminal's palette.
type basic uint8

const (
	black basic = iota
	red
	green
	yellow
	blue
	magenta
	cyan
	white
)

// color is c as SGR 30–37 / 40–47, never the 256-colour form: the
// console and every renderer's downsampling keep those as they are.
func (c basic) color() color.Color { return ansi.BasicColor(c) }

// ink is a background and the colour drawn on it. Bright ink is drawn
// bold: xterm (boldColors, its default) and the Linux console show bold
// text in the bright version of its colour, and bold is the one way to
// ask for a bright colour that both understand. That is also why ink that
// must stay dark is never bold: bold black is grey, which on green read
// at 1.9:1 (the defect of issue 8).
type ink struct {
	bg, fg basic
	bright bool
}

// style is the lipgloss style that draws with k.
func (k ink) style() lipgloss.Style {
	return lipgloss.NewStyle().Background(k.bg.color()).Foreground(k.fg.color()).Bold(k.bright)
}

// theme is the ink for every verdict screen on one terminal palette.
// Every pair is chosen for a contrast of at least 4.5:1 (WCAG AA) on the
// palette it is meant for; theme_test.go computes them.
type theme struct {
	name                     string
	green, yellow, red, blue ink
	neutral                  ink // NOT VERIFIED and UNDONE: no status colour earned
	alarm                    ink // CANNOT RECORD VISIT
	symbols                  symbols
}

// symbols carry a verdict without colour, for colour-blind staff and
// NO_COLOR terminals; in plain text, where the block font does not fit.
type symbols struct{ admit, deny, unknown string }

// xtermTheme suits xterm's default palette and the terminals that copy
// it (VTE, konsole, Windows Terminal are close): dark ink on the light
// green and yellow, bright white on red and blue. Ratios on xterm's
// palette: black on green 00cd00 9.7, black on yellow cdcd00 12.3, bright
// white on red cd0000 5.8, on blue 0000ee 9.4, black on white e5e5e5
// 16.7, bright white on black 21.
func xtermTheme() theme {
	return theme{
		name:    "xterm",
		green:   ink{bg: green, fg: black},
		yellow:  ink{bg: yellow, fg: black},
		red:     ink{bg: red, fg: white, bright: true},
		blue:    ink{bg: blue, fg: white, bright: true},
		neutral: ink{bg: white, fg: black},
		alarm:   ink{bg: black, fg: white, bright: true},
		symbols: symbols{admit: "✔", deny: "✖", unknown: "?"},
	}
}

// consoleTheme suits the Linux console's VGA palette, whose yellow is the
// brown aa5500: black on it is 4.0:1, so it takes bright white (5.2:1).
// The rest as on xterm: black on green 00aa00 6.7, bright white on red
// aa0000 7.8, on blue 0000aa 13.3, black on white aaaaaa 9.0. The console
// font (CP437) has no ✔ or ✖, so the symbols are ASCII.
func consoleTheme() theme {
	t := xtermTheme()
	t.name = "linux console"
	t.yellow = ink{bg: yellow, fg: white, bright: true}
	t.symbols = symbols{admit: "OK", deny: "X", unknown: "?"}
	return t
}

// themeFor picks the theme for the terminal named by TERM.
func themeFor(term string) theme {
	if term == "linux" {
		return consoleTheme()
	}
	return xtermTheme()
}

// status returns the ink of a status colour.
func (t theme) status(st wire.Status) ink {
	switch st {
	case wire.Red:
		return t.red
	case wire.Yellow:
		return t.yellow
	case wire.Green:
		return t.green
	}
	return t.blue
}

// pairs lists every ink of the theme by name, for the contrast test.
func (t theme) pairs() map[string]ink {
	return map[string]ink{"green": t.green, "yellow": t.yellow, "red": t.red, "blue": t.blue,
		"neutral": t.neutral, "alarm": t.alarm}
}
