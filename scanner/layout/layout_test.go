package layout

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// typeOn types US text through a layout: the inverse of Undo.
func typeOn(l Layout, us string) string {
	inv := map[rune]rune{}
	for local, u := range l.fromKey {
		inv[u] = local
	}
	var b strings.Builder
	for _, r := range us {
		if local, ok := inv[r]; ok {
			r = local
		}
		b.WriteRune(r)
	}
	return b.String()
}

const base45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

func TestEveryPassCharacterRestores(t *testing.T) {
	for _, l := range []Layout{Russian(), Kazakh()} {
		for _, c := range base45 + "DC1:" {
			typed := typeOn(l, string(c))
			if got := l.Undo(typed); got != string(c) {
				t.Errorf("%s: %q typed as %q restores to %q", l.Name, c, typed, got)
			}
		}
	}
}

func TestKazakhNumberRowHasNoDigits(t *testing.T) {
	typed := typeOn(Kazakh(), "900101400003")
	if strings.ContainsAny(typed, "0123456789") {
		t.Fatalf("kk typing of an IIN still has digits: %q", typed)
	}
	if typed != "ұққ\"қ\"ңққққі" {
		t.Fatalf("kk typing of an IIN = %q", typed)
	}
	if got := Kazakh().Undo(typed); got != "900101400003" {
		t.Fatalf("restored %q", got)
	}
}

func TestRussianKnownKeys(t *testing.T) {
	for us, ru := range map[string]string{"DC1:": "ВС1Ж", "ABC": "ФИС", ".": "ю", "/": ".", "$": ";", ":": "Ж"} {
		if got := typeOn(Russian(), us); got != ru {
			t.Errorf("ru typing of %q = %q, want %q", us, got, ru)
		}
	}
}

func TestRestore(t *testing.T) {
	isPass := func(s string) bool {
		return strings.HasPrefix(s, "DC1:") && !strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune(base45, r) })
	}
	pass := "DC1:%60.ZENDJRVL6ULU$AF20U$AY20-Q4*30UU554O1$DQZPVK9A*9+*P/-A85A4LOU$CF5IZY48NLYH0DF8*3BZPJ3 3543H2NGT5Y22"
	layouts := []Layout{Russian(), Kazakh()}
	if got, name, ok := Restore(pass, isPass, layouts...); !ok || got != pass || name != "" {
		t.Fatalf("valid text changed: %q %q %v", got, name, ok)
	}
	for _, l := range layouts {
		typed := typeOn(l, pass)
		if typed == pass {
			t.Fatalf("%s typing changed nothing", l.Name)
		}
		got, name, ok := Restore(typed, isPass, layouts...)
		if !ok || got != pass || name != l.Name {
			t.Fatalf("%s: restored %q via %q (%v)", l.Name, got, name, ok)
		}
	}
	if _, _, ok := Restore("привет мир", isPass, layouts...); ok {
		t.Fatal("restored prose into a pass")
	}
}

func FuzzRestore(f *testing.F) {
	f.Add("ВС1Ж%60юЯУТ")
	f.Add("ұққ\"қ\"ңққққі")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		got, _, _ := Restore(s, func(x string) bool { return strings.HasPrefix(x, "DC1:") }, Russian(), Kazakh())
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
	})
}
