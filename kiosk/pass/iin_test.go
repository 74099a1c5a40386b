package pass

import (
	"errors"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/reason"
)

// Vectors, also listed in docs/formats.md.
func TestParseIIN(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		reason reason.Code
	}{
		{"900101400003", "900101400003", ""},          // check digit from round 1
		{"900101400404", "900101400404", ""},          // round 1 gives 10; round 2 gives 4
		{"9001 0140 0404", "900101400404", ""},        // spaces tolerated
		{"900101-400404", "900101400404", ""},         // dashes tolerated
		{" 900101400003\r\n", "900101400003", ""},     // scanner terminator left on
		{"999999999999", "", reason.BadChecksum},      // nonsense date digits are fine, checksum is not
		{"900101400004", "", reason.BadChecksum},      // wrong check digit
		{"900101400430", "", reason.NeverIssued},      // 10 in both rounds
		{"90010140000", "", reason.Malformed},         // 11 digits
		{"9001014000031", "", reason.Malformed},       // 13 digits
		{"90010140000A", "", reason.Malformed},        // a letter
		{"", "", reason.Malformed},                    // nothing
		{"900101400003\x1b[2J", "", reason.Malformed}, // escape sequence glued on
		{"９００１０１４０００３", "", reason.Malformed},         // full-width digits are not digits
	}
	for _, tt := range tests {
		got, err := ParseIIN(tt.in)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseIIN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason != tt.reason {
			t.Errorf("ParseIIN(%q) error = %v, want reason %s", tt.in, err, tt.reason)
		}
	}
}

func TestIINCheckDigitRounds(t *testing.T) {
	if d, ok := IINCheckDigit("90010140000"); !ok || d != 3 {
		t.Errorf("round 1: got %d %v", d, ok)
	}
	if d, ok := IINCheckDigit("90010140040"); !ok || d != 4 {
		t.Errorf("round 2: got %d %v", d, ok)
	}
	if _, ok := IINCheckDigit("90010140043"); ok {
		t.Errorf("never-issued prefix got a check digit")
	}
	if _, ok := MakeIIN("9001014004x"); ok {
		t.Errorf("MakeIIN accepted a letter")
	}
}

func TestErrorNeverLeaksDigits(t *testing.T) {
	for _, in := range []string{"900101400004", "900101400430", "9001014000031"} {
		_, err := ParseIIN(in)
		if err == nil {
			t.Fatalf("%s parsed", in)
		}
		for i := 0; i+6 <= len(in); i++ {
			if contains(err.Error(), in[i:i+6]) {
				t.Errorf("error %q leaks digits of %s", err, in)
			}
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func FuzzParseIIN(f *testing.F) {
	for _, s := range []string{"900101400003", "900101400404", "9001 0140-0404", "", "\x00", "99999999999a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseIIN(s)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if len(got) != IINLength {
			t.Fatalf("ParseIIN(%q) = %q", s, got)
		}
		if again, err := ParseIIN(got); err != nil || again != got {
			t.Fatalf("normalised IIN does not parse again")
		}
		if Classify(s) != KindIIN || !Recognised(s) {
			t.Fatalf("ParseIIN accepts %q but Classify/Recognised disagree", s)
		}
	})
}
