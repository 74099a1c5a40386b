package pass

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/sync/reason"
)

// Vectors, also listed (and worked by hand) in docs/formats.md.
func TestParseIIN(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		reason reason.Code
	}{
		{"900101400003", "900101400003", ""},      // check digit from round 1
		{"900101400404", "900101400404", ""},      // round 1 gives 10; round 2 gives 4
		{"9001 0140 0404", "900101400404", ""},    // spaces tolerated
		{"900101-400404", "900101400404", ""},     // dashes tolerated
		{" 900101400003\r\n", "900101400003", ""}, // scanner terminator left on
		{"\t900101400003\t", "900101400003", ""},  // tabs at the ends
		{"991399000009", "991399000009", ""},      // month 13, day 99: dates are never checked
		{"000000000000", "000000000000", ""},      // all zeros: sum 0, check digit 0
		{"999999999999", "", reason.BadChecksum},  // nonsense date digits are fine, checksum is not
		{"900101400004", "", reason.BadChecksum},  // wrong check digit
		{"900101400430", "", reason.NeverIssued},  // 10 in both rounds
		{"900101400439", "", reason.NeverIssued},  // whatever the last digit
		{"90010140000", "", reason.Malformed},     // 11 digits
		{"9001014000031", "", reason.Malformed},   // 13 digits
		{"90010140000A", "", reason.Malformed},    // a letter
		{"A90010140000", "", reason.Malformed},    // a letter first, digits after
		{"9001.0140.0003", "", reason.Malformed},  // dots are not separators
		{"900101400003\x1b[2J", "", reason.Malformed},
		{"900101\u00a0400003", "", reason.Malformed}, // NBSP inside
		{"\u00a0900101400003", "", reason.Malformed}, // NBSP is not trimmed
		{"", "", reason.UnknownFormat},               // nothing
		{" - - ", "", reason.UnknownFormat},          // separators only
		{"HELLO", "", reason.UnknownFormat},          // no digits at all
		{"９００１０１４０００３", "", reason.UnknownFormat},    // full-width digits are not ASCII digits
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
		if got != "" {
			t.Errorf("ParseIIN(%q) returned %q with an error", tt.in, got)
		}
	}
}

func TestIINCheckDigit(t *testing.T) {
	tests := []struct {
		first11 string
		digit   int
		ok      bool
	}{
		{"90010140000", 3, true},  // round 1: 47 mod 11 = 3
		{"90010140040", 4, true},  // round 1: 87 mod 11 = 10; round 2: 81 mod 11 = 4
		{"90010140043", 0, false}, // round 1: 120 mod 11 = 10; round 2: 87 mod 11 = 10
		{"99139900000", 9, true},  // round 1: 141 mod 11 = 9
		{"00000000000", 0, true},
		{"9001014004", 0, false},   // 10 digits
		{"900101400400", 0, false}, // 12 digits
		{"9001014004x", 0, false},  // a letter
		{"9001014004 ", 0, false},  // separators are ParseIIN's business
	}
	for _, tt := range tests {
		d, ok := IINCheckDigit(tt.first11)
		if d != tt.digit || ok != tt.ok {
			t.Errorf("IINCheckDigit(%q) = %d, %v; want %d, %v", tt.first11, d, ok, tt.digit, tt.ok)
		}
		iin, ok := MakeIIN(tt.first11)
		if ok != tt.ok || (ok && iin != fmt.Sprintf("%s%d", tt.first11, tt.digit)) {
			t.Errorf("MakeIIN(%q) = %q, %v", tt.first11, iin, ok)
		}
	}
}

// For every prefix, exactly one last digit parses, or (never issued) none
// does and all ten say so. Prefixes are spread over the whole range so
// both rounds and the never-issued case occur many times.
func TestIINEveryLastDigit(t *testing.T) {
	var rounds [3]int // valid in round 1, valid in round 2, never issued
	for n := uint64(0); n < 100_000_000_000; n += 7_919_999 {
		first11 := fmt.Sprintf("%011d", n)
		made, issued := MakeIIN(first11)
		valid := 0
		for last := '0'; last <= '9'; last++ {
			iin := first11 + string(last)
			_, err := ParseIIN(iin)
			var pe *Error
			switch {
			case err == nil:
				valid++
				if iin != made {
					t.Fatalf("%s parses but MakeIIN gives %s", iin, made)
				}
			case !errors.As(err, &pe):
				t.Fatalf("ParseIIN(%s): %T", iin, err)
			case issued && pe.Reason != reason.BadChecksum, !issued && pe.Reason != reason.NeverIssued:
				t.Fatalf("ParseIIN(%s): %v (issued %v)", iin, err, issued)
			}
		}
		switch {
		case !issued && valid == 0:
			rounds[2]++
		case issued && valid == 1:
			if round1(first11) == 10 {
				rounds[1]++
			} else {
				rounds[0]++
			}
		default:
			t.Fatalf("prefix %s: %d valid last digits, issued %v", first11, valid, issued)
		}
	}
	if rounds[0] == 0 || rounds[1] == 0 || rounds[2] == 0 {
		t.Errorf("sample missed a case: %v", rounds)
	}
}

// round1 is the first weight round written out independently.
func round1(first11 string) int {
	sum := 0
	for i, c := range first11 {
		sum += (i + 1) * int(c-'0')
	}
	return sum % 11
}

func TestIINErrorNeverLeaksDigits(t *testing.T) {
	for _, in := range []string{"900101400004", "900101400430", "9001014000031", "90010140000A", "90010140000"} {
		_, err := ParseIIN(in)
		if err == nil {
			t.Fatalf("%s parsed", in)
		}
		for i := 0; i+4 <= len(in); i++ {
			if strings.Contains(err.Error(), in[i:i+4]) {
				t.Errorf("error %q leaks digits of the IIN", err)
			}
		}
	}
}

func FuzzParseIIN(f *testing.F) {
	for _, s := range []string{"900101400003", "900101400404", "9001 0140-0404", "", "\x00", "99999999999a", "900101400430", "\r\n900101400003\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseIIN(s)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T", err)
			}
			if got != "" {
				t.Fatalf("ParseIIN returned %q with an error", got)
			}
			if len(s) >= 6 && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q holds the input", err)
			}
			return
		}
		if len(got) != IINLength || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("ParseIIN(%q) = %q", s, got)
		}
		if again, err := ParseIIN(got); err != nil || again != got {
			t.Fatalf("normalised IIN does not parse again")
		}
		if made, ok := MakeIIN(got[:11]); !ok || made != got {
			t.Fatalf("MakeIIN disagrees with ParseIIN on %q", got)
		}
		if Classify(s) != KindIIN || !Recognised(s) {
			t.Fatalf("ParseIIN accepts %q but Classify/Recognised disagree", s)
		}
	})
}
