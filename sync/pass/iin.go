package pass

import "github.com/doorcheck/doorcheck/sync/reason"

// IINLength is the number of digits in an IIN.
const IINLength = 12

// ParseIIN normalises an IIN and checks its check digit. It returns the 12
// digits.
//
// ASCII whitespace at either end is trimmed and spaces and dashes inside are
// dropped, as people and printers group the digits. Text with no digit at
// all is reason.UnknownFormat (it is not an attempt at an IIN); any other
// character, or a digit count other than 12, is reason.Malformed. A prefix
// whose check digit is 10 in both weight rounds is reason.NeverIssued, and a
// wrong 12th digit reason.BadChecksum.
//
// The first six digits look like a birth date (YYMMDD) but need not be
// one, so they are never checked: an impossible date is not an error.
//
// Errors never hold the digits, so they are safe to log.
func ParseIIN(s string) (string, error) {
	s = trimASCII(s)
	var d [IINLength]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= '0' && c <= '9':
			if n == IINLength {
				return "", fail(reason.Malformed, "more than %d digits", IINLength)
			}
			d[n] = c
			n++
		default:
			if n == 0 && !hasDigit(s[i:]) {
				return "", fail(reason.UnknownFormat, "not an IIN: no digits")
			}
			return "", fail(reason.Malformed, "IIN holds a character other than a digit, space or dash")
		}
	}
	if n == 0 {
		return "", fail(reason.UnknownFormat, "not an IIN: no digits")
	}
	if n != IINLength {
		return "", fail(reason.Malformed, "IIN has %d digits, want %d", n, IINLength)
	}
	check, ok := IINCheckDigit(string(d[:11]))
	if !ok {
		return "", fail(reason.NeverIssued, "check digit undefined in both weight rounds")
	}
	if int(d[11]-'0') != check {
		return "", fail(reason.BadChecksum, "check digit mismatch")
	}
	return string(d[:]), nil
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// IINCheckDigit computes the check digit of the first 11 digits: weights
// 1..11 mod 11; if that gives 10, weights 3..11,1,2 mod 11; if 10 again the
// number is never issued (ok false). It also returns false when first11 is
// not 11 ASCII digits.
func IINCheckDigit(first11 string) (digit int, ok bool) {
	if len(first11) != 11 {
		return 0, false
	}
	for i := 0; i < 11; i++ {
		if first11[i] < '0' || first11[i] > '9' {
			return 0, false
		}
	}
	// Two weight rounds: 1..11, then 3..11, 1, 2.
	for _, w := range [2][11]int{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}} {
		sum := 0
		for i := 0; i < 11; i++ {
			sum += int(first11[i]-'0') * w[i]
		}
		if c := sum % 11; c != 10 {
			return c, true
		}
	}
	return 0, false
}

// MakeIIN appends the check digit to 11 digits, for generators and tests.
// It returns false for a never-issued prefix.
func MakeIIN(first11 string) (string, bool) {
	c, ok := IINCheckDigit(first11)
	if !ok {
		return "", false
	}
	return first11 + string(rune('0'+c)), true
}
