package layout

// Restore returns s unchanged with ok true when valid(s). Otherwise it
// undoes each of Known's layouts in turn and returns the first result that
// valid accepts, with that layout's name. When none does, it returns s,
// "" and false, and the caller rejects the raw text with whatever reason
// the raw text earns.
//
// valid is the caller's notion of a readable payload (the kiosk passes one
// that checks an IIN's check digit or a pass's structure), so this package
// never depends on what a payload is. Because a result is kept only when
// valid accepts it and rejected s, text that merely looks Cyrillic is never
// rewritten.
//
// A restored result is always valid UTF-8; s itself is returned as given.
func Restore(s string, valid func(string) bool) (restored, layoutName string, ok bool) {
	return RestoreWith(s, valid, Known())
}

// RestoreWith is Restore over the given layouts only, tried in order; with
// none it only checks valid(s). Kiosks configured for specific layouts use
// it.
func RestoreWith(s string, valid func(string) bool, layouts []Layout) (restored, layoutName string, ok bool) {
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
