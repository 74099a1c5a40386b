package tui

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Bubble Tea calls View after every message: every key of a scanner's
// burst, every clock tick (tickEvery), every result. Most of those frames
// are the frame before them, and at 200x60 laying out one costs
// milliseconds (lipgloss measures every grapheme of every line, several
// times), so a burst of keys queued behind such frames delays the verdict
// the scan's Enter asks for. The memo keeps the last few laid-out blocks
// by exactly what they were laid out from (sizes, style, the text itself):
// an unchanged screen is a map look-up, and a changed one is laid out as
// before, byte for byte.

// memoMax bounds the blocks kept: a screen is a handful (body, the
// whole frame, a dialog's overlay), and the screen before a change is
// often the one after it (the manual field's first keys taken back when a
// burst is recognised). Full, the memo starts over.
const memoMax = 24

type renderMemo struct {
	blocks map[string]string
	hits   int // for tests and benchmarks
}

// get returns the block laid out from key, laying it out with f the first
// time.
func (c *renderMemo) get(key string, f func() string) string {
	if s, ok := c.blocks[key]; ok {
		c.hits++
		return s
	}
	s := f()
	if c.blocks == nil || len(c.blocks) >= memoMax {
		c.blocks = make(map[string]string, memoMax)
	}
	c.blocks[key] = s
	return s
}

// reset forgets every block (benchmarks of the cold frame).
func (c *renderMemo) reset() { c.blocks = nil }

// memoKey joins what a block is laid out from. Parts are length-prefixed,
// so no two different inputs share a key.
func memoKey(kind string, w, h int, parts ...string) string {
	var b strings.Builder
	n := len(kind) + 24
	for _, p := range parts {
		n += len(p) + 12
	}
	b.Grow(n)
	b.WriteString(kind)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(w))
	b.WriteByte('x')
	b.WriteString(strconv.Itoa(h))
	for _, p := range parts {
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// styleKey stands for a style in a memo key: what it draws around a
// space. Width, alignment and height are place's own, set on it there.
func styleKey(s lipgloss.Style) string { return s.Render(" ") }

// place is the package's place, remembered.
func (m *Model) place(w, h int, content string, style lipgloss.Style) string {
	return m.memo.get(memoKey("place", w, h, styleKey(style), content), func() string {
		return place(w, h, content, style)
	})
}

// joinScreen stacks the body and the lines under it, remembered.
func (m *Model) joinScreen(body string, bottom []string) string {
	return m.memo.get(memoKey("screen", m.width, m.height, append([]string{body}, bottom...)...), func() string {
		return lipgloss.JoinVertical(lipgloss.Left, append([]string{body}, bottom...)...)
	})
}

// overlay is the package's overlay, remembered: help over an unchanged
// page is drawn once.
func (m *Model) overlay(body, box string, w, h int) string {
	return m.memo.get(memoKey("overlay", w, h, body, box), func() string {
		return overlay(body, box, w, h)
	})
}

// bigText is the package's bigText, remembered: the block letters of the
// idle screen's direction and of a verdict's word are the same frame
// after frame.
func (m *Model) bigText(words []string, w, h int) (string, bool) {
	s := m.memo.get(memoKey("big", w, h, words...), func() string {
		big, ok := bigText(words, w, h)
		if ok {
			return "+" + big
		}
		return "-" + big
	})
	return s[1:], s[0] == '+'
}
