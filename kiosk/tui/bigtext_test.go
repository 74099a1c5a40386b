package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// TestFontsAreWhole: every glyph of both fonts is the font's height, its
// rows one width, and every letter of every verdict word is there.
func TestFontsAreWhole(t *testing.T) {
	for name, f := range map[string]font{"large": largeFont(), "small": smallFont()} {
		for r, g := range f.glyphs {
			if len(g) != f.height {
				t.Errorf("%s %q: %d rows, want %d", name, r, len(g), f.height)
			}
			for _, row := range g {
				if len(row) != len(g[0]) {
					t.Errorf("%s %q: ragged rows %q", name, r, g)
				}
			}
		}
		// The words drawn large, in every language: verdicts and the
		// idle screen's direction.
		cat := catalog.New()
		for _, l := range catalog.Langs() {
			for _, k := range []catalog.Key{catalog.Admit, catalog.ExitRecorded, catalog.Deny, catalog.NotVerified,
				catalog.Undone, catalog.OverrideAdmitted, catalog.Entry, catalog.Exit} {
				if w := cat.Lookup(l, k); !f.has(w) {
					t.Errorf("%s font lacks a letter of %s %q", name, l, w)
				}
			}
		}
		if !f.has("✔✖?АӘБВГҒДЕЁЖЗИЙІКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫЬЭЮЯ") {
			t.Errorf("%s font lacks a Russian or Kazakh capital", name)
		}
	}
}

// TestCapitalN: N has its diagonal, so it cannot read as a lowercase n
// (the top-right pixel set, the one next to it clear). The old 3×5 N was
// "##." on top: an n.
func TestCapitalN(t *testing.T) {
	for name, f := range map[string]font{"large": largeFont(), "small": smallFont()} {
		top := f.glyphs['N'][0]
		if top[0] != '#' || top[len(top)-1] != '#' || top[len(top)-2] != '.' {
			t.Errorf("%s N starts %q: reads as a lowercase n", name, top)
		}
	}
}

// headlineRows renders a verdict at w×h and returns how many rows tall
// its block letters are (one line of them, when they wrap), or 0 when
// the word fell back to plain text.
func headlineRows(t *testing.T, v kiosk.Verdict, w, h int) int {
	t.Helper()
	m := New(context.Background(), Options{Lock: enLock()})
	m.width, m.height = w, h
	m.last = &kiosk.Result{Verdict: v}
	screen := ansi.Strip(m.View().Content)
	n := 0
	for _, l := range strings.Split(screen, "\n") {
		if strings.ContainsAny(l, "█▀▄") {
			n++
		} else if n > 0 {
			break
		}
	}
	if n == 0 && !strings.Contains(screen, english(decisionKey(v))) {
		t.Errorf("%dx%d: neither block letters nor the word %q:\n%s", w, h, english(decisionKey(v)), screen)
	}
	return n
}

// TestHeadlineScales: the verdict word grows with the screen (on a wall
// screen its letters are at least a fifth of the height), and every
// verdict word is still block letters at 40x12; at 32x10 the short ones
// are (EXIT RECORDED and NOT VERIFIED may be plain text there).
func TestHeadlineScales(t *testing.T) {
	verdicts := []kiosk.Verdict{
		{Decision: kiosk.Admit, HasStatus: true, Status: wire.Green, Subject: "cd6fb0b7", SnapshotVersion: 20782},
		{Decision: kiosk.Admit, HasStatus: true, Status: wire.Green, Direction: 1},
		{Decision: kiosk.Deny, HasStatus: true, Status: wire.Red, Subject: "cd6fb0b7", SnapshotVersion: 20782},
		{Decision: kiosk.NotVerified, SnapshotVersion: 20782},
		{Decision: kiosk.Undone},
	}
	for _, v := range verdicts {
		word := english(decisionKey(v))
		prev := 0
		for _, sz := range [][2]int{{32, 10}, {40, 12}, {80, 24}, {120, 40}, {200, 60}} {
			rows := headlineRows(t, v, sz[0], sz[1])
			if rows == 0 && (sz[0] > 32 || len(word) <= 6) {
				t.Errorf("%s at %dx%d: plain text, not block letters", word, sz[0], sz[1])
			}
			if rows < prev {
				t.Errorf("%s at %dx%d: %d rows, smaller than %d on the smaller screen", word, sz[0], sz[1], rows, prev)
			}
			prev = rows
		}
		if prev < 60/5 {
			t.Errorf("%s at 200x60: %d rows of block letters, want at least a fifth of the screen", word, prev)
		}
	}
}

// TestHeadlineFallsBack: a word no font draws (a translation), or a
// screen too small for any scale, is plain text with its symbol.
func TestHeadlineFallsBack(t *testing.T) {
	if _, ok := bigText([]string{"ΕΙΣΟΔΟΣ"}, 200, 60); ok {
		t.Errorf("Greek drawn by a font that has none")
	}
	if _, ok := bigText([]string{"NOT", "VERIFIED"}, 12, 3); ok {
		t.Errorf("drawn in 12x3")
	}
	m := New(context.Background(), Options{Lock: enLock()})
	m.width, m.height = 20, 6
	m.last = &kiosk.Result{Verdict: kiosk.Verdict{Decision: kiosk.Deny}}
	if got := ansi.Strip(m.View().Content); !strings.Contains(got, "✖ STOP") {
		t.Errorf("20x6 deny: want plain \"✖ STOP\":\n%s", got)
	}
}
