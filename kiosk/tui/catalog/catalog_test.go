package catalog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
)

// constsOf returns the string values of every constant of type typ
// declared in the non-test Go files of dir. Reading the source, not a
// hand-kept list, is the point: a key or reason code added tomorrow is
// checked without anyone remembering to list it.
func constsOf(t *testing.T, dir, typ string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a %s constant that is not a string literal", name, typ)
					}
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s constants in %s", typ, dir)
	}
	return out
}

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

func verbs(s string) []string { return verb.FindAllString(s, -1) }

// TestEveryLanguageHasEveryKey fails when a language lacks a key, has a
// key no screen can ask for, leaves one empty, or takes other arguments
// than English does.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	keys := constsOf(t, ".", "Key")
	for _, l := range Langs() {
		tab := table(l)
		for _, k := range keys {
			s, ok := tab[Key(k)]
			switch {
			case !ok:
				t.Errorf("%s lacks key %s", l, k)
			case strings.TrimSpace(s) == "":
				t.Errorf("%s: key %s is empty", l, k)
			case !slices.Equal(verbs(s), verbs(en[Key(k)])):
				t.Errorf("%s: key %s takes %v, English takes %v", l, k, verbs(s), verbs(en[Key(k)]))
			}
		}
		for k := range tab {
			if !slices.Contains(keys, string(k)) {
				t.Errorf("%s: key %s is not declared in keys.go", l, k)
			}
		}
	}
}

// TestEveryReasonDescribed fails when a reason code sync/reason defines
// has no description in some language, or a detailed form is missing or
// takes other arguments than English's.
func TestEveryReasonDescribed(t *testing.T) {
	codes := constsOf(t, filepath.Join("..", "..", "..", "sync", "reason"), "Code")
	full := Details{ExpiredAgo: 12 * time.Minute, ValidIn: 3 * time.Hour, FirstEntryAt: "14:05", Inside: 250, Capacity: 250, DataAge: 72 * time.Hour}
	for _, l := range Langs() {
		rt := reasons(l)
		for _, c := range codes {
			code := reason.Code(c)
			s, ok := rt.plain[code]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s: reason %s has no description", l, c)
			}
			if _, hasArgs := detailArgs(l, code, full); hasArgs {
				f, ok := rt.detailed[code]
				if !ok {
					t.Errorf("%s: reason %s has details but no detailed form", l, c)
				} else if !slices.Equal(verbs(f), verbs(enReasons.detailed[code])) {
					t.Errorf("%s: reason %s detailed form takes %v, English %v", l, c, verbs(f), verbs(enReasons.detailed[code]))
				}
				if got := Reason(l, code, full); strings.Contains(got, "%!") {
					t.Errorf("%s: reason %s: bad format: %q", l, c, got)
				}
			}
		}
		for c := range rt.detailed {
			if _, ok := detailArgs(l, c, full); !ok {
				t.Errorf("%s: detailed form of %s is never used", l, c)
			}
		}
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		l    Lang
		c    reason.Code
		d    Details
		want string
	}{
		{EN, reason.Expired, Details{ExpiredAgo: 12 * time.Minute}, "pass expired 12 min ago"},
		{EN, reason.Expired, Details{}, "pass has expired"},
		{RU, reason.Reentry, Details{FirstEntryAt: "14:05"}, "уже внутри: вход в 14:05, выхода не было"},
		{KK, reason.Full, Details{Inside: 250, Capacity: 250}, "орын жоқ 250/250"},
		{EN, reason.Full, Details{Inside: 3}, "venue is full"}, // capacity unknown: no fraction
		{EN, reason.StaleSnapshot, Details{DataAge: 72 * time.Hour}, "status data is out of date: 3 days old"},
		{RU, reason.DataTooOld, Details{DataAge: 5 * 24 * time.Hour}, "данные слишком старые для решения: возраст 5 дн."},
		{EN, reason.NotYetValid, Details{ValidIn: 2*time.Hour + 5*time.Minute}, "pass is not valid yet: starts in 2 h 5 min"},
		{KK, reason.Code("from_the_future"), Details{}, "from_the_future"},
	}
	for _, tt := range tests {
		if got := Reason(tt.l, tt.c, tt.d); got != tt.want {
			t.Errorf("Reason(%s, %s) = %q, want %q", tt.l, tt.c, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		l    Lang
		k    Key
		args []any
		want string
	}{
		{EN, Admit, nil, "ENTER"},
		{KK, Admit, nil, "КІРІҢІЗ"},
		{RU, PINWrong, []any{3}, "Неверный PIN: осталось попыток 3"},
		{EN, Key("no_such_key"), nil, "no_such_key"},
	}
	for _, tt := range tests {
		if got := Lookup(tt.l, tt.k, tt.args...); got != tt.want {
			t.Errorf("Lookup(%s, %s) = %q, want %q", tt.l, tt.k, got, tt.want)
		}
	}
	if got := Join([]Lang{KK, RU, EN}, " · ", HelpHintShort); got != "F1" {
		t.Errorf("Join shows the same text twice: %q", got)
	}
	if got := Join([]Lang{KK, EN}, " / ", Deny); got != "ТОҚТАҢЫЗ / STOP" {
		t.Errorf("Join = %q", got)
	}
}

func TestParseLang(t *testing.T) {
	for _, s := range []string{"kk", "RU", " en "} {
		if _, err := ParseLang(s); err != nil {
			t.Errorf("ParseLang(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "de", "kz"} {
		if _, err := ParseLang(s); err == nil {
			t.Errorf("ParseLang(%q) accepted", s)
		}
	}
}
