package pass

import (
	"bytes"
	"testing"
)

// RFC 9285 section 4.3 and 4.4 vectors.
func TestBase45RFCVectors(t *testing.T) {
	tests := []struct{ plain, enc string }{
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"", ""},
		{"\x00", "00"},
		{"\xff", "U5"},            // largest single byte: 255 = 30 + 5·45
		{"\xff\xff", "FGW"},       // largest pair: 65535 = 15 + 16·45 + 32·2025
		{"\x00\x00\x00", "00000"}, // zeros are not dropped
	}
	for _, tt := range tests {
		if got := encodeBase45([]byte(tt.plain)); got != tt.enc {
			t.Errorf("encode(%q) = %q, want %q", tt.plain, got, tt.enc)
		}
		got, err := decodeBase45(tt.enc)
		if err != nil || string(got) != tt.plain {
			t.Errorf("decode(%q) = %q, %v; want %q", tt.enc, got, err, tt.plain)
		}
	}
}

func TestBase45DecodeRejects(t *testing.T) {
	tests := []struct{ in, why string }{
		{"GGW", "65536, one past a pair's range (RFC 9285 section 4.4)"},
		{"ZZZ", "far past a pair's range"},
		{"V5", "256, past a final byte's range"},
		{"ZZ", "past a final byte's range"},
		{"A", "length 1 mod 3"},
		{"BB8A", "length 1 mod 3 after a full group"},
		{"bB8", "lowercase is outside the alphabet"},
		{"BB_", "underscore is outside the alphabet"},
		{"BB\x00", "NUL"},
		{"BB\xc3\xa9", "non-ASCII"},
		{"B\n8", "newline inside"},
	}
	for _, tt := range tests {
		if got, err := decodeBase45(tt.in); err == nil {
			t.Errorf("decode(%q) = %x, want error: %s", tt.in, got, tt.why)
		}
	}
}

// FuzzBase45Decode checks both directions: every byte string survives
// encode then decode, and every string that decodes is the one encoding of
// its bytes (strict decoding means no two texts decode alike).
func FuzzBase45Decode(f *testing.F) {
	for _, s := range []string{"BB8", "%69 VD92EX0", "UJCLQE7W581", "QED8WEX0", "GGW", "FGW", "U5", "V5", "A", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if back, err := decodeBase45(encodeBase45([]byte(s))); err != nil || !bytes.Equal(back, []byte(s)) {
			t.Fatalf("decode(encode(%q)) = %q, %v", s, back, err)
		}
		b, err := decodeBase45(s)
		if err != nil {
			return
		}
		if again := encodeBase45(b); again != s {
			t.Fatalf("decode(%q) then encode = %q", s, again)
		}
	})
}
