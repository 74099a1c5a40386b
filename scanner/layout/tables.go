package layout

// The tables below are the keys a US 104-key keyboard has, row by row
// (number row, QWERTY row, home row, bottom row), unshifted and shifted.
// Each other layout lists its characters for the same keys in the same
// order. Keys outside these rows (space, Enter, Tab) type the same on every
// layout here and need no table.

// usRows is the US layout (xkb "us").
func usRows() []row {
	return []row{
		{"`1234567890-=", "~!@#$%^&*()_+"},
		{"qwertyuiop[]\\", "QWERTYUIOP{}|"},
		{"asdfghjkl;'", "ASDFGHJKL:\""},
		{"zxcvbnm,./", "ZXCVBNM<>?"},
	}
}

// ruRows is the Russian ЙЦУКЕН layout (xkb "ru", default variant
// "winkeys", the same as Windows): the number row keeps its digits but
// its shifted characters move (! " № ; % : ? * ( )), and the letters and
// most punctuation keys carry Cyrillic letters.
func ruRows() []row {
	return []row{
		{"ё1234567890-=", "Ё!\"№;%:?*()_+"},
		{"йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"},
		{"фывапролджэ", "ФЫВАПРОЛДЖЭ"},
		{"ячсмитьбю.", "ЯЧСМИТЬБЮ,"},
	}
}

// kkRows is the Kazakh layout (xkb "kz", default variant "basic", RST
// KazSSR 903-90, the same keys as Windows' Kazakh layout). Its number row
// carries Kazakh letters and punctuation, and no level of this layout
// types a digit: a scanner's digits arrive as " ә і ң ғ , . ү ұ қ.
// (Levels 3 and 4 hold only ё Ё on the grave key; a scanner never
// presses AltGr.) The letter rows are the Russian ones.
func kkRows() []row {
	return []row{
		{"(\"әіңғ,.үұқөһ", ")!ӘІҢҒ;:ҮҰҚӨҺ"},
		{"йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"},
		{"фывапролджэ", "ФЫВАПРОЛДЖЭ"},
		{"ячсмитьбю№", "ЯЧСМИТЬБЮ?"},
	}
}

// US is the US layout itself: Undo changes nothing. With Caps Lock (see
// CapsLock) it is still useful, since a scanner's capitals then arrive in
// lower case.
func US() Layout { return build("us", usRows(), false) }

// Russian is the ЙЦУКЕН layout (xkb "ru").
func Russian() Layout { return build("ru", ruRows(), false) }

// Kazakh is the Kazakh layout (xkb "kz").
func Kazakh() Layout { return build("kk", kkRows(), false) }

// CapsLock returns the layout as it types with Caps Lock on: letter keys
// swap their unshifted and shifted characters (so a scanner's Shift+D
// gives "d", or "в" on Russian), other keys are unchanged. On the Kazakh
// layout the number-row letters ә і ң ғ ү ұ қ ө һ are letter keys too, so
// Caps Lock turns a scanner's digits into capitals there.
func CapsLock(name string) (Layout, bool) {
	var rows []row
	switch name {
	case "us":
		rows = usRows()
	case "ru":
		rows = ruRows()
	case "kk", "kz":
		name, rows = "kk", kkRows()
	default:
		return Layout{}, false
	}
	return build(name+"+caps", rows, true), true
}

// ByName returns a layout by its config name: "ru", "kk" (or "kz"), and
// any of "us", "ru", "kk" with "+caps" for Caps Lock on. "us" itself
// gives false: there is nothing to undo.
func ByName(name string) (Layout, bool) {
	switch name {
	case "ru":
		return Russian(), true
	case "kk", "kz":
		return Kazakh(), true
	case "us+caps", "ru+caps", "kk+caps", "kz+caps":
		return CapsLock(name[:len(name)-len("+caps")])
	}
	return Layout{}, false
}

// Known returns every layout Restore tries, in the order it tries them:
// the two layouts a kiosk in Kazakhstan or Russia is likely to have, then
// the same and US with Caps Lock left on.
func Known() []Layout {
	us, _ := CapsLock("us")
	ru, _ := CapsLock("ru")
	kk, _ := CapsLock("kk")
	return []Layout{Russian(), Kazakh(), us, ru, kk}
}
