package tui

import "strings"

// glyph returns r in a 3×5 block font for the verdict word, so ENTER or
// STOP can be read across an entrance. '#' is a filled cell; a rune with no
// glyph is blank.
func glyph(r rune) [5]string {
	switch r {
	case 'A':
		return [5]string{".#.", "#.#", "###", "#.#", "#.#"}
	case 'B':
		return [5]string{"##.", "#.#", "##.", "#.#", "##."}
	case 'C':
		return [5]string{".##", "#..", "#..", "#..", ".##"}
	case 'D':
		return [5]string{"##.", "#.#", "#.#", "#.#", "##."}
	case 'E':
		return [5]string{"###", "#..", "##.", "#..", "###"}
	case 'F':
		return [5]string{"###", "#..", "##.", "#..", "#.."}
	case 'G':
		return [5]string{".##", "#..", "#.#", "#.#", ".##"}
	case 'H':
		return [5]string{"#.#", "#.#", "###", "#.#", "#.#"}
	case 'I':
		return [5]string{"###", ".#.", ".#.", ".#.", "###"}
	case 'J':
		return [5]string{"..#", "..#", "..#", "#.#", ".#."}
	case 'K':
		return [5]string{"#.#", "#.#", "##.", "#.#", "#.#"}
	case 'L':
		return [5]string{"#..", "#..", "#..", "#..", "###"}
	case 'M':
		return [5]string{"#.#", "###", "###", "#.#", "#.#"}
	case 'N':
		return [5]string{"##.", "#.#", "#.#", "#.#", "#.#"}
	case 'O':
		return [5]string{".#.", "#.#", "#.#", "#.#", ".#."}
	case 'P':
		return [5]string{"##.", "#.#", "##.", "#..", "#.."}
	case 'Q':
		return [5]string{".#.", "#.#", "#.#", "##.", ".##"}
	case 'R':
		return [5]string{"##.", "#.#", "##.", "#.#", "#.#"}
	case 'S':
		return [5]string{".##", "#..", ".#.", "..#", "##."}
	case 'T':
		return [5]string{"###", ".#.", ".#.", ".#.", ".#."}
	case 'U':
		return [5]string{"#.#", "#.#", "#.#", "#.#", "###"}
	case 'V':
		return [5]string{"#.#", "#.#", "#.#", "#.#", ".#."}
	case 'W':
		return [5]string{"#.#", "#.#", "###", "###", "#.#"}
	case 'X':
		return [5]string{"#.#", "#.#", ".#.", "#.#", "#.#"}
	case 'Y':
		return [5]string{"#.#", "#.#", ".#.", ".#.", ".#."}
	case 'Z':
		return [5]string{"###", "..#", ".#.", "#..", "###"}
	}
	return [5]string{"...", "...", "...", "...", "..."}
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
		g := glyph(r)
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
