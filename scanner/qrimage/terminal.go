package qrimage

import "strings"

// TerminalQuietZone is the light border RenderHalfBlocks draws, in
// modules. It is half the printed QuietZone: phone cameras read codes on a
// screen with two modules to spare, and the four columns and two lines
// saved matter on an 80×24 console.
const TerminalQuietZone = 2

// RenderHalfBlocks draws payload's QR code for a terminal, one line per
// two module rows and one column per module, so the code comes out about
// square in a cell twice as tall as it is wide: ▀ draws the upper module
// light, ▄ the lower, █ both and a space neither.
//
// Light modules are drawn as blocks and dark modules as spaces: on the
// usual dark-background terminal, in the terminal's own foreground and
// background colours, that reads as dark on light, which is what readers
// expect. (On a light-background terminal the code comes out inverted;
// most phone readers still read it, and Decode does too.) The border is
// TerminalQuietZone light modules. Each line ends with "\n" and every line
// has the same number of characters.
func RenderHalfBlocks(payload string) (string, error) {
	m, err := Matrix(payload, TerminalQuietZone)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow((len(m) + 1) / 2 * (len(m)*3 + 1))
	for y := 0; y < len(m); y += 2 {
		for x := range m[y] {
			top := !m[y][x]
			bottom := y+1 < len(m) && !m[y+1][x] // an odd last row has a dark (blank) partner
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
