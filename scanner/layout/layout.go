// Package layout undoes keyboard layouts. A keyboard-wedge scanner types
// key positions, not characters: it presses the keys that would produce its
// payload on a US keyboard, and the kiosk's keyboard layout decides what
// characters those keys make. On a kiosk whose layout is Russian (ЙЦУКЕН),
// a pass's letters arrive as Cyrillic; on the Kazakh layout the number row
// has no digits at all, so even an all-digit IIN arrives garbled.
//
// Restore maps such text back, key by key and shift state by shift state,
// to what the scanner meant, and keeps the result only when the caller's
// validity check accepts it and rejects the raw text: a layout is never
// guessed from the characters alone.
//
// The tables follow the xkb symbols files "us", "ru" (its default
// "winkeys" variant, which matches Windows) and "kz" (its default "basic"
// variant, which matches Windows' Kazakh layout on the keys a scanner
// uses). docs/qr.md prints them for IT staff.
package layout

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Layout is one keyboard layout seen from the scanner's side: for each
// character the layout produces, the US character of the same key and
// shift state.
type Layout struct {
	// Name is the short config name: "ru", "kk", "us+caps"… A "+caps"
	// suffix means the layout with Caps Lock on.
	Name string

	fromKey map[rune]rune
}

// A row is one row of a keyboard's keys, unshifted and shifted, in the
// order of the US row with the same index in usRows. Index i of both
// strings (counted in runes) is the same physical key.
type row struct{ plain, shifted string }

// build pairs each character of rows with the US character on the same
// key and shift state. With capsLock, keys whose two characters are a
// lower- and upper-case pair (the keys xkb types ALPHABETIC) swap their
// levels, as Caps Lock does; other keys are unaffected.
//
// build panics on a malformed table: the tables are constants of this
// package, checked by its tests, never input.
func build(name string, rows []row, capsLock bool) Layout {
	us := usRows()
	if len(rows) != len(us) {
		panic(fmt.Sprintf("layout %s: %d rows, want %d", name, len(rows), len(us)))
	}
	l := Layout{Name: name, fromKey: make(map[rune]rune, 100)}
	for i, r := range rows {
		plain, shifted := []rune(r.plain), []rune(r.shifted)
		usPlain, usShifted := []rune(us[i].plain), []rune(us[i].shifted)
		if len(plain) != len(usPlain) || len(shifted) != len(usShifted) {
			panic(fmt.Sprintf("layout %s: row %d has a different number of keys from US", name, i))
		}
		for k := range plain {
			lo, up := plain[k], shifted[k]
			if capsLock && isCasePair(lo, up) {
				lo, up = up, lo
			}
			l.add(lo, usPlain[k])
			l.add(up, usShifted[k])
		}
	}
	return l
}

// add records that the layout's character c is typed with the key and
// shift state that make us on a US keyboard.
func (l Layout) add(c, us rune) {
	if prev, dup := l.fromKey[c]; dup && prev != us {
		panic(fmt.Sprintf("layout %s: %q is on two keys (%q and %q)", l.Name, c, prev, us))
	}
	l.fromKey[c] = us
}

func isCasePair(lo, up rune) bool {
	return unicode.IsLower(lo) && unicode.ToUpper(lo) == up && lo != up
}

// Undo maps s back to US characters, key by key. Characters the layout
// does not produce are kept as they are. Undo of invalid UTF-8 returns s
// unchanged: a keyboard never types it, so there is nothing to undo.
func (l Layout) Undo(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if us, ok := l.fromKey[r]; ok {
			r = us
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Type is the inverse of Undo: it returns what the layout makes of US
// text typed key by key. Characters with no US key are kept. It is what a
// wedge scanner does to a payload, and what tests and docs use to show it.
func (l Layout) Type(us string) string {
	inv := make(map[rune]rune, len(l.fromKey))
	for c, u := range l.fromKey {
		inv[u] = c
	}
	var b strings.Builder
	b.Grow(len(us) * 2)
	for _, r := range us {
		if c, ok := inv[r]; ok {
			r = c
		}
		b.WriteRune(r)
	}
	return b.String()
}
