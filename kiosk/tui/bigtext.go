package tui

import (
	"strings"
)

// A block font draws the verdict word large enough to read across an
// entrance. Glyphs are bitmaps ('#' set, '.' clear) of one height; a
// glyph's width is its rows' length. A font pixel is k columns wide and k
// half-rows tall (cells are about twice as tall as wide, so the pixels
// are square), drawn with the half and full blocks ▀ ▄ █, which the
// Linux console's CP437 font has too.
type font struct {
	height int
	space  int // width of a space
	glyphs map[rune][]string
}

// largeFont is 5×7: the letters of every verdict word, with an N that
// reads as a capital, and the verdict symbols.
func largeFont() font {
	return font{height: 7, space: 2, glyphs: map[rune][]string{
		'A': {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
		'B': {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."},
		'C': {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."},
		'D': {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."},
		'E': {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
		'F': {"#####", "#....", "#....", "####.", "#....", "#....", "#...."},
		'G': {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"},
		'H': {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
		'I': {"###", ".#.", ".#.", ".#.", ".#.", ".#.", "###"},
		'J': {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."},
		'K': {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"},
		'L': {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},
		'M': {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},
		'N': {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"},
		'O': {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
		'P': {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
		'Q': {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"},
		'R': {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},
		'S': {".####", "#....", "#....", ".###.", "....#", "....#", "####."},
		'T': {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
		'U': {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
		'V': {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."},
		'W': {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."},
		'X': {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"},
		'Y': {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."},
		'Z': {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"},
		'✔': {"......", ".....#", "....##", "#..##.", "####..", ".##...", "......"},
		'✖': {"#...#", "##.##", ".###.", "..#..", ".###.", "##.##", "#...#"},
		'?': {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."},
	}}.withCyrillic(largeCyrillic()) // bigtext_cyrillic.go
}

// smallFont is 3×5 (N is 4 wide, so it is no lowercase n), for screens
// too small for the large one.
func smallFont() font {
	return font{height: 5, space: 2, glyphs: map[rune][]string{
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
		'N': {"#..#", "##.#", "#.##", "#..#", "#..#"},
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
		'✔': {"...", "..#", "#.#", ".#.", "..."},
		'✖': {"...", "#.#", ".#.", "#.#", "..."},
		'?': {"##.", "..#", ".#.", "...", ".#."},
	}}.withCyrillic(smallCyrillic())
}

// has reports whether f draws every rune of s (a space always).
func (f font) has(s string) bool {
	for _, r := range s {
		if _, ok := f.glyphs[r]; !ok && r != ' ' {
			return false
		}
	}
	return true
}

// width is how many columns s takes at scale k: glyphs one pixel apart.
func (f font) width(s string, k int) int {
	w := 0
	for i, r := range []rune(s) {
		if i > 0 {
			w++
		}
		if r == ' ' {
			w += f.space
		} else {
			w += len(f.glyphs[r][0])
		}
	}
	return w * k
}

// vscale is how many half-rows tall a font pixel is at scale k: k, or
// above 1 the even number at or above it, so pixels end on a row and the
// edges are whole blocks instead of stairs of half blocks.
func vscale(k int) int {
	if k > 1 && k%2 == 1 {
		return k + 1
	}
	return k
}

// rows is how many terminal rows one line takes at scale k.
func (f font) rows(k int) int { return (f.height*vscale(k) + 1) / 2 }

// render draws one line of s at scale k.
func (f font) render(s string, k int) []string {
	// The bitmap in half-rows, k pixels per font pixel each way.
	w := f.width(s, 1)
	bits := make([][]bool, f.height)
	for y := range bits {
		bits[y] = make([]bool, 0, w)
		for i, r := range []rune(s) {
			if i > 0 {
				bits[y] = append(bits[y], false)
			}
			if r == ' ' {
				bits[y] = append(bits[y], make([]bool, f.space)...)
				continue
			}
			for _, c := range f.glyphs[r][y] {
				bits[y] = append(bits[y], c == '#')
			}
		}
	}
	ky := vscale(k)
	set := func(half, x int) bool {
		y := half / ky
		return y < f.height && bits[y][x/k]
	}
	out := make([]string, f.rows(k))
	for row := range out {
		var b strings.Builder
		for x := 0; x < w*k; x++ {
			top, bottom := set(2*row, x), set(2*row+1, x)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		out[row] = b.String()
	}
	return out
}

// maxHeadlineLines is how many lines a headline may wrap to.
const maxHeadlineLines = 3

// bigText draws words (a symbol and the verdict word) in the largest
// block letters that fit in w columns and h rows, wrapping between words
// onto up to three lines, one blank row apart. It returns false when no
// font and scale fits, or a font lacks a letter (a translation the fonts
// do not cover): the caller writes the words as plain text.
func bigText(words []string, w, h int) (string, bool) {
	type candidate struct {
		f font
		k int
	}
	// The large font at any scale before the small one: it is the more
	// legible, and the small one is for handhelds only.
	var cands []candidate
	for k := 12; k >= 1; k-- {
		cands = append(cands, candidate{largeFont(), k})
	}
	for k := 2; k >= 1; k-- {
		cands = append(cands, candidate{smallFont(), k})
	}
	text := strings.Join(words, " ")
	for _, c := range cands {
		if !c.f.has(text) {
			continue
		}
		lines, ok := wrapWords(words, func(s string) bool { return c.f.width(s, c.k) <= w })
		if !ok || len(lines) > maxHeadlineLines {
			continue
		}
		if len(lines)*c.f.rows(c.k)+len(lines)-1 > h {
			continue
		}
		var rows []string
		for i, l := range lines {
			if i > 0 {
				rows = append(rows, "")
			}
			rows = append(rows, c.f.render(l, c.k)...)
		}
		return strings.Join(rows, "\n"), true
	}
	return "", false
}

// wrapWords packs words greedily into lines that fit; false when a word
// alone does not.
func wrapWords(words []string, fits func(string) bool) ([]string, bool) {
	var lines []string
	cur := ""
	for _, word := range words {
		switch {
		case cur == "":
			cur = word
		case fits(cur + " " + word):
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
		if !fits(cur) {
			return nil, false
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines, true
}
