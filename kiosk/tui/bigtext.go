package tui

import "strings"

// glyphs is a 3×5 block font for the verdict word, so ENTER or STOP can be
// read across an entrance. '#' is a filled cell.
var glyphs = map[rune][5]string{
	'A': {".#.", "#.#", "###", "#.#", "#.#"},
	'B': {"##.", "#.#", "##.", "#.#", "##."},
	'C': {".##", "#..", "#..", "#..", ".##"},
	'D': {"##.", "#.#", "#.#", "#.#", "##."},
	'E': {"###", "#..", "##.", "#..", "###"},
	'F': {"###", "#..", "##.", "#..", "#.."},
	'G': {".##", "#..", "#.#", "#.#", ".##"},
	'H': {"#.#", "#.#", "###", "#.#", "#.#"},
	'I': {"###", ".#.", ".#.", ".#.", "###"},
	'J': {"..#", "..#", "..#", "#.#", ".#."},
	'K': {"#.#", "#.#", "##.", "#.#", "#.#"},
	'L': {"#..", "#..", "#..", "#..", "###"},
	'M': {"#.#", "###", "###", "#.#", "#.#"},
	'N': {"##.", "#.#", "#.#", "#.#", "#.#"},
	'O': {".#.", "#.#", "#.#", "#.#", ".#."},
	'P': {"##.", "#.#", "##.", "#..", "#.."},
	'Q': {".#.", "#.#", "#.#", "##.", ".##"},
	'R': {"##.", "#.#", "##.", "#.#", "#.#"},
	'S': {".##", "#..", ".#.", "..#", "##."},
	'T': {"###", ".#.", ".#.", ".#.", ".#."},
	'U': {"#.#", "#.#", "#.#", "#.#", "###"},
	'V': {"#.#", "#.#", "#.#", "#.#", ".#."},
	'W': {"#.#", "#.#", "###", "###", "#.#"},
	'X': {"#.#", "#.#", ".#.", "#.#", "#.#"},
	'Y': {"#.#", "#.#", ".#.", ".#.", ".#."},
	'Z': {"###", "..#", ".#.", "#..", "###"},
	' ': {"...", "...", "...", "...", "..."},
}

// bigTextWidth is how many columns bigText(s) takes.
func bigTextWidth(s string) int {
	n := len([]rune(s))
	if n == 0 {
		return 0
	}
	return n*4 - 1
}

// bigText renders s (capital letters and spaces) five rows tall, each
// filled cell a full block. Characters without a glyph render as blanks.
func bigText(s string) string {
	var rows [5]strings.Builder
	for i, r := range []rune(s) {
		g, ok := glyphs[r]
		if !ok {
			g = glyphs[' ']
		}
		for y := range rows {
			if i > 0 {
				rows[y].WriteByte(' ')
			}
			rows[y].WriteString(strings.NewReplacer("#", "█", ".", " ").Replace(g[y]))
		}
	}
	out := make([]string, len(rows))
	for y := range rows {
		out[y] = rows[y].String()
	}
	return strings.Join(out, "\n")
}
