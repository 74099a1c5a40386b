package pass

import "strings"

// Kind is what a payload looks like, before any verification.
type Kind int

const (
	KindUnknown Kind = iota
	KindIIN          // 12 digits, with optional spaces and dashes
	KindPass         // starts with the pass prefix
)

// Classify tells cheaply what a payload looks like, without verifying it:
// KindPass when it starts with Prefix, KindIIN when it is exactly 12 ASCII
// digits once spaces and dashes are removed, else KindUnknown. ASCII
// whitespace at either end is ignored, as in ParseIIN and Verify. A stray
// 1D barcode of 13 digits, or camera noise, is KindUnknown.
func Classify(payload string) Kind {
	s := trimASCII(payload)
	if strings.HasPrefix(s, Prefix) {
		return KindPass
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-':
		default:
			return KindUnknown
		}
	}
	if digits == IINLength {
		return KindIIN
	}
	return KindUnknown
}

// Recognised reports whether s parses structurally as a payload this
// kiosk reads: an IIN with a valid check digit, or a well-formed pass
// (signature not checked). Keyboard-layout restoration asks it whether a
// restored text is what the scanner meant.
func Recognised(s string) bool {
	switch Classify(s) {
	case KindIIN:
		_, err := ParseIIN(s)
		return err == nil
	case KindPass:
		_, _, err := decode(s)
		return err == nil
	}
	return false
}
