// Package sanitize makes untrusted payload bytes safe for a terminal or a log.
package sanitize

// Escape returns s with every control character, escape sequence, C1 control,
// bidi override and invalid UTF-8 byte replaced by a visible escape, bounded
// in length. STUB: being implemented.
func Escape(s string) string { return s }
