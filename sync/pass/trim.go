package pass

// asciiSpace is what a keyboard-wedge scanner or a careless copy may leave
// around a payload: a terminator (CR, LF, tab) or padding spaces.
const asciiSpace = " \t\r\n\v\f"

// trimASCII removes ASCII whitespace at both ends of s, and nothing else.
// Unicode spaces (NBSP, ideographic space) are not trimmed: no scanner
// sends them, so text holding them is not a payload this kiosk reads.
func trimASCII(s string) string {
	start, end := 0, len(s)
	for start < end && isASCIISpace(s[start]) {
		start++
	}
	for end > start && isASCIISpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isASCIISpace(c byte) bool {
	for i := 0; i < len(asciiSpace); i++ {
		if asciiSpace[i] == c {
			return true
		}
	}
	return false
}
