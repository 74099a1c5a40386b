// Package layout undoes keyboard layouts. A keyboard-wedge scanner types
// key positions, not characters: on a kiosk whose keyboard layout is
// Russian (ЙЦУКЕН), a pass's letters arrive as Cyrillic; on the Kazakh
// layout the number row has no digits at all, so even an all-digit IIN
// arrives garbled. Restore maps such text back, key by key, to what the
// scanner meant on the US layout.
package layout

import "strings"

// Layout is one keyboard layout's character for every US key position.
type Layout struct {
	Name string
	// fromKey maps the layout's characters back to the US characters of
	// the same key and shift state.
	fromKey map[rune]rune
}

// usRows are the US layout's keys, row by row: unshifted, then shifted.
func usRows() [][2]string {
	return [][2]string{
		{"`1234567890-=", "~!@#$%^&*()_+"},
		{"qwertyuiop[]\\", "QWERTYUIOP{}|"},
		{"asdfghjkl;'", "ASDFGHJKL:\""},
		{"zxcvbnm,./", "ZXCVBNM<>?"},
	}
}

// Russian is the ЙЦУКЕН layout (xkb "ru"): digits stay digits, letters and
// most punctuation move.
func Russian() Layout {
	return build("ru", [][2]string{
		{"ё1234567890-=", "Ё!\"№;%:?*()_+"},
		{"йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"},
		{"фывапролджэ", "ФЫВАПРОЛДЖЭ"},
		{"ячсмитьбю.", "ЯЧСМИТЬБЮ,"},
	})
}

// Kazakh is the Kazakh layout (xkb "kz"): its number row carries Kazakh
// letters and punctuation, so no digit can be typed unshifted.
func Kazakh() Layout {
	return build("kk", [][2]string{
		{"(\"әіңғ,.үұқөһ", ")!ӘІҢҒ;:ҮҰҚӨҺ"},
		{"йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"},
		{"фывапролджэ", "ФЫВАПРОЛДЖЭ"},
		{"ячсмитьбю№", "ЯЧСМИТЬБЮ?"},
	})
}

// ByName returns a layout by its config name ("ru", "kk"); "us" and
// unknown names give false.
func ByName(name string) (Layout, bool) {
	switch name {
	case "ru":
		return Russian(), true
	case "kk", "kz":
		return Kazakh(), true
	}
	return Layout{}, false
}

// build pairs each layout character with the US character on the same key.
func build(name string, rows [][2]string) Layout {
	l := Layout{Name: name, fromKey: map[rune]rune{}}
	us := usRows()
	for i, row := range rows {
		for shift := 0; shift < 2; shift++ {
			usKeys, local := []rune(us[i][shift]), []rune(row[shift])
			if len(usKeys) != len(local) {
				panic("layout " + name + ": row length differs from US")
			}
			for k, r := range local {
				if _, dup := l.fromKey[r]; dup && l.fromKey[r] != usKeys[k] {
					panic("layout " + name + ": character on two keys: " + string(r))
				}
				l.fromKey[r] = usKeys[k]
			}
		}
	}
	return l
}

// Undo maps s back to US characters key by key; characters the layout
// does not produce are kept.
func (l Layout) Undo(s string) string {
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

// Restore returns s unchanged when valid(s); otherwise the first layout's
// undoing of s that is valid, with that layout's name. When none is, it
// returns s and false: the caller then rejects the raw text with the
// reason the raw text earns.
func Restore(s string, valid func(string) bool, layouts ...Layout) (string, string, bool) {
	if valid(s) {
		return s, "", true
	}
	for _, l := range layouts {
		if u := l.Undo(s); u != s && valid(u) {
			return u, l.Name, true
		}
	}
	return s, "", false
}
