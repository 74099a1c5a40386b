package pass

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
	}{
		{"900101400003", KindIIN},
		{"9001 0140 0003", KindIIN},
		{"9001-0140-0003\r\n", KindIIN},
		{"900101400004", KindIIN}, // looks like one; the checksum is ParseIIN's job
		{"900101400430", KindIIN},
		{"90010140000", KindUnknown},   // 11 digits
		{"4006381333931", KindUnknown}, // an EAN-13 on a shop item
		{"90010140000A", KindUnknown},
		{"９００１０１４０００３", KindUnknown},
		{"DC1:ABC", KindPass}, // looks like one; the structure is Verify's job
		{"DC1:", KindPass},
		{" DC1:ABC\n", KindPass},
		{"dc1:ABC", KindUnknown},
		{"DC2:ABC", KindUnknown},
		{"https://example.com/", KindUnknown},
		{"", KindUnknown},
		{"ЗЗЗ", KindUnknown},
	}
	for _, tt := range tests {
		if got := Classify(tt.in); got != tt.want {
			t.Errorf("Classify(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRecognised(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())
	tests := []struct {
		in   string
		want bool
	}{
		{"900101400003", true},
		{"9001 0140 0404\r", true},
		{"900101400004", false}, // bad checksum
		{"900101400430", false}, // never issued
		{good, true},
		{good + "\r\n", true},
		{signBody(t, issuerKey(), func(b []byte) { b[0] = 2 }), false},
		{strings.ToLower(good), false},
		{good[:len(good)-3], false},
		{"DC1:ABC", false},
		{"", false},
		{"ЯЯЯ", false},
	}
	for _, tt := range tests {
		if got := Recognised(tt.in); got != tt.want {
			t.Errorf("Recognised(%.20q…) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// Structure only: a pass from a stranger, or with a broken signature,
	// is still a pass the scanner read correctly.
	stranger := samplePass()
	stranger.Issuer = idOf(testKey(2))
	if !Recognised(mustEncode(t, stranger, testKey(2))) {
		t.Error("Recognised depends on the trust list")
	}
}
