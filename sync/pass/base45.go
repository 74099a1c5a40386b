package pass

import (
	"errors"
	"strings"
)

// base45Alphabet is RFC 9285's alphabet: exactly the characters a QR code
// encodes in alphanumeric mode, so a pass fits the densest QR text mode.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var errBase45 = errors.New("invalid base45")

// base45Value returns c's index in the alphabet, or -1.
func base45Value(c byte) int {
	return strings.IndexByte(base45Alphabet, c)
}

// encodeBase45 encodes b per RFC 9285: each two bytes become three
// characters (least significant first), a final single byte two.
func encodeBase45(b []byte) string {
	var s strings.Builder
	s.Grow(len(b)/2*3 + 2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45%45])
		s.WriteByte(base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45])
	}
	return s.String()
}

// decodeBase45 decodes strictly: characters outside the alphabet, a length
// of 1 mod 3, and groups whose value overflows are errors.
func decodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errBase45
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		if len(s)-i == 2 {
			c, d := base45Value(s[i]), base45Value(s[i+1])
			if c < 0 || d < 0 {
				return nil, errBase45
			}
			n := c + d*45
			if n > 0xff {
				return nil, errBase45
			}
			out = append(out, byte(n))
			break
		}
		c, d, e := base45Value(s[i]), base45Value(s[i+1]), base45Value(s[i+2])
		if c < 0 || d < 0 || e < 0 {
			return nil, errBase45
		}
		n := c + d*45 + e*2025
		if n > 0xffff {
			return nil, errBase45
		}
		out = append(out, byte(n>>8), byte(n))
	}
	return out, nil
}
