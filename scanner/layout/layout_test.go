package layout

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// base45 is the QR alphanumeric alphabet a pass is written in.
const base45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

func allLayouts() []Layout { return append([]Layout{US()}, Known()...) }

func TestTablesAreKeyForKey(t *testing.T) {
	// build panics on a row of the wrong length or a character on two
	// keys; this checks the rest: every US key is reachable, and typing
	// is the exact inverse of undoing.
	for _, l := range allLayouts() {
		seen := map[rune]bool{}
		for c, us := range l.fromKey {
			if seen[us] {
				t.Errorf("%s: two characters undo to %q", l.Name, us)
			}
			seen[us] = true
			if got := l.Type(string(us)); got != string(c) {
				t.Errorf("%s: %q undoes to %q, which types as %q", l.Name, c, us, got)
			}
		}
		if len(seen) != 94 {
			t.Errorf("%s: %d US keys and shift states covered, want 94 (47 keys × 2)", l.Name, len(seen))
		}
	}
}

func TestEveryPassCharacterRestores(t *testing.T) {
	for _, l := range allLayouts() {
		for _, c := range base45 + "abcdefghijklmnopqrstuvwxyz" {
			typed := l.Type(string(c))
			if got := l.Undo(typed); got != string(c) {
				t.Errorf("%s: %q typed as %q restores to %q", l.Name, c, typed, got)
			}
		}
	}
}

// TestKnownKeys pins the tables to the xkb symbols files, character by
// character, for every character a pass or an IIN uses.
func TestKnownKeys(t *testing.T) {
	tests := []struct {
		layout string
		us     string
		typed  string
	}{
		// Russian: digits stay, shifted number row and punctuation move.
		{"ru", "0123456789", "0123456789"},
		{"ru", "!@#$%^&*()", "!\"№;%:?*()"},
		{"ru", "QWERTYUIOP", "ЙЦУКЕНГШЩЗ"},
		{"ru", "ASDFGHJKL", "ФЫВАПРОЛД"},
		{"ru", "ZXCVBNM", "ЯЧСМИТЬ"},
		{"ru", "qwerty", "йцукен"},
		{"ru", ",./;'[]`", "бю.жэхъё"},
		{"ru", "<>?:\"{}~", "БЮ,ЖЭХЪЁ"},
		{"ru", " $%*+-./:", " ;%*+-ю.Ж"},
		{"ru", "DC1:", "ВС1Ж"},
		// Kazakh: the number row has no digits at any shift level.
		{"kk", "1234567890-=", "\"әіңғ,.үұқөһ"},
		{"kk", "!@#$%^&*()_+", "!ӘІҢҒ;:ҮҰҚӨҺ"},
		{"kk", "`~", "()"},
		{"kk", "QWERTYUIOP", "ЙЦУКЕНГШЩЗ"},
		{"kk", " $%*+-./:", " ҢҒҮҺөю№Ж"},
		{"kk", "900101400003", "ұққ\"қ\"ңққққі"},
		{"kk", "DC1:", "ВС\"Ж"},
		// Caps Lock swaps the levels of letter keys only.
		{"us+caps", "DC1:ab", "dc1:AB"},
		{"ru+caps", "DC1:", "вс1ж"},
		{"ru+caps", "dc", "ВС"},
		{"kk+caps", "900101400003", "ҰҚҚ\"Қ\"ҢҚҚҚҚІ"},
		{"kk+caps", "DC1:", "вс\"ж"},
	}
	for _, tt := range tests {
		l, ok := ByName(tt.layout)
		if !ok {
			t.Fatalf("no layout %q", tt.layout)
		}
		if got := l.Type(tt.us); got != tt.typed {
			t.Errorf("%s: %q types as %q, want %q", tt.layout, tt.us, got, tt.typed)
		}
		if got := l.Undo(tt.typed); got != tt.us {
			t.Errorf("%s: %q undoes to %q, want %q", tt.layout, tt.typed, got, tt.us)
		}
	}
}

func TestKazakhTypesNoDigits(t *testing.T) {
	for _, name := range []string{"kk", "kk+caps"} {
		l, _ := ByName(name)
		if typed := l.Type("0123456789"); strings.ContainsFunc(typed, unicode.IsDigit) {
			t.Errorf("%s types digits as %q", name, typed)
		}
		for c := range l.fromKey {
			if unicode.IsDigit(c) {
				t.Errorf("%s produces the digit %q", name, c)
			}
		}
	}
}

// iinValid checks an IIN's check digit: mod 11 with weights 1..11, and a
// second round with weights 3..11,1,2 when the first gives 10.
func iinValid(s string) bool {
	if len(s) != 12 || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return false
	}
	return iinCheck(s[:11]) == int(s[11]-'0')
}

func iinCheck(s string) int {
	sum := 0
	for i := range 11 {
		sum += int(s[i]-'0') * (i + 1)
	}
	if c := sum % 11; c != 10 {
		return c
	}
	sum = 0
	for i := range 11 {
		sum += int(s[i]-'0') * ((i+2)%11 + 1)
	}
	return sum % 11 // 10 means never issued
}

// passValid accepts "DC1:" and base45 text, the structure of a pass.
func passValid(s string) bool {
	rest, ok := strings.CutPrefix(s, "DC1:")
	return ok && len(rest) > 0 && !strings.ContainsFunc(rest, func(r rune) bool { return !strings.ContainsRune(base45, r) })
}

func validPayload(s string) bool { return iinValid(s) || passValid(s) }

// realisticPass is "DC1:" and 146 random base45 characters, so every
// character of the alphabet appears.
func realisticPass(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed))
	b := []byte("DC1:")
	for range 146 {
		b = append(b, base45[r.IntN(len(base45))])
	}
	return string(b)
}

func TestRestoreRoundTrips(t *testing.T) {
	iin := "90010140000"
	iin += string(rune('0' + iinCheck(iin)))
	if !iinValid(iin) {
		t.Fatalf("test IIN %s is not valid", iin)
	}
	payloads := []string{iin, "000000000000", realisticPass(1), realisticPass(2)}
	for _, p := range payloads {
		if !validPayload(p) {
			t.Fatalf("test payload %q is not valid", p)
		}
		if got, name, ok := Restore(p, validPayload); !ok || got != p || name != "" {
			t.Errorf("valid %q came back as %q via %q (%v)", p, got, name, ok)
		}
		// The name may be another layout's that reads the same keys the
		// same way (Russian and Kazakh share their letter rows).
		for _, l := range Known() {
			typed := l.Type(p)
			if typed == p {
				continue // all digits on Russian: nothing to undo
			}
			got, name, ok := Restore(typed, validPayload)
			if !ok || got != p {
				t.Errorf("%s: %q typed as %q restored to %q via %q (%v)", l.Name, p, typed, got, name, ok)
			}
		}
	}
}

func TestRestoreLeavesOtherTextAlone(t *testing.T) {
	for _, s := range []string{"привет мир", "", "900101400004", "Жёлтый", "DC1:ab", "\xff\xfe"} {
		if got, name, ok := Restore(s, passValid); ok || got != s || name != "" {
			t.Errorf("%q: restored to %q via %q", s, got, name)
		}
	}
	// With no layouts, only the raw text is checked.
	if _, _, ok := RestoreWith("ВС1ЖФ", passValid, nil); ok {
		t.Error("RestoreWith without layouts restored")
	}
	// Some text reads validly through two layouts: "." is US "/" on
	// Russian but US "7" on Kazakh. The first layout wins, which is why
	// Known tries Russian first and why a kiosk's predicate should check
	// a pass's signature, not only its alphabet.
	for _, tt := range []struct {
		order []Layout
		want  string
		name  string
	}{
		{[]Layout{Russian(), Kazakh()}, "DC1:A/", "ru"},
		{[]Layout{Kazakh(), Russian()}, "DC1:A7", "kk"},
	} {
		if got, name, ok := RestoreWith("ВС1ЖФ.", passValid, tt.order); !ok || got != tt.want || name != tt.name {
			t.Errorf("RestoreWith: %q via %q (%v), want %q via %q", got, name, ok, tt.want, tt.name)
		}
	}
}

func TestByName(t *testing.T) {
	for _, name := range []string{"ru", "kk", "kz", "us+caps", "ru+caps", "kk+caps", "kz+caps"} {
		if _, ok := ByName(name); !ok {
			t.Errorf("ByName(%q) failed", name)
		}
	}
	for _, name := range []string{"us", "", "de", "+caps", "de+caps"} {
		if _, ok := ByName(name); ok {
			t.Errorf("ByName(%q) succeeded", name)
		}
	}
}

func FuzzRestore(f *testing.F) {
	f.Add("ВС1Ж%60юЯУТ")
	f.Add("ұққ\"қ\"ңққққі")
	f.Add("ҰҚҚ\"Қ\"ҢҚҚҚҚІ")
	f.Add("dc1:abc")
	f.Add("\xff\xfeЖ")
	f.Fuzz(func(t *testing.T, s string) {
		got, name, ok := Restore(s, validPayload)
		switch {
		case !ok && (got != s || name != ""):
			t.Fatalf("failed restore of %q changed it to %q via %q", s, got, name)
		case ok && name == "" && got != s:
			t.Fatalf("valid %q changed to %q", s, got)
		case ok && name != "" && !utf8.ValidString(got):
			t.Fatalf("restored %q to invalid UTF-8 %q", s, got)
		case ok && !validPayload(got):
			t.Fatalf("restored %q to invalid payload %q", s, got)
		}
		for _, l := range Known() {
			if u := l.Undo(s); utf8.ValidString(s) != utf8.ValidString(u) {
				t.Fatalf("%s: Undo(%q) = %q changed UTF-8 validity", l.Name, s, u)
			}
		}
	})
}
