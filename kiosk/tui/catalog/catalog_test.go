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
	var out []string
	for _, v := range constMap(t, dir, typ) {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// constMap is constsOf by constant name.
func constMap(t *testing.T, dir, typ string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
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
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a %s constant that is not a string literal", name, typ)
					}
					s, _ := strconv.Unquote(lit.Value)
					out[vs.Names[i].Name] = s
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s constants in %s", typ, dir)
	}
	return out
}

// TestEveryKeyTheScreenUsesExists reads the screen's own source
// (kiosk/tui, tests aside) for every catalog.X it names and fails when X
// is a key some language lacks, and when the screen makes a key from a
// string (catalog.Key(...)), which no test could check. Together with
// TestEveryLanguageHasEveryKey it means a page cannot show a word that
// is missing in any language.
func TestEveryKeyTheScreenUsesExists(t *testing.T) {
	keys := constMap(t, ".", "Key")
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no screen sources: %v", err)
	}
	c := New()
	used := 0
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && isCatalog(sel) && sel.Sel.Name == "Key" {
					t.Errorf("%s: catalog.Key(...) makes a key no test checks", fset.Position(n.Pos()))
				}
			case *ast.SelectorExpr:
				k, ok := keys[n.Sel.Name]
				if !ok || !isCatalog(n) {
					return true
				}
				used++
				for _, l := range Langs() {
					if !c.Has(l, Key(k)) {
						t.Errorf("%s: %s lacks key %s (catalog.%s)", fset.Position(n.Pos()), l, k, n.Sel.Name)
					}
				}
			}
			return true
		})
	}
	if used < 50 {
		t.Errorf("the screen names only %d catalogue keys: is it still wired to the catalogue?", used)
	}
}

func isCatalog(sel *ast.SelectorExpr) bool {
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "catalog"
}

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

func verbs(s string) []string { return verb.FindAllString(s, -1) }

// TestEveryLanguageHasEveryKey fails when a language lacks a key, has a
// key no screen can ask for, leaves one empty, or takes other arguments
// than English does.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	keys := constsOf(t, ".", "Key")
	en := enTable()
	for _, l := range Langs() {
		tab := tableOf(l)
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
	c := New()
	en := enReasons()
	full := Details{ExpiredAgo: 12 * time.Minute, ValidIn: 3 * time.Hour, FirstEntryAt: "14:05", Inside: 250, Capacity: 250, DataAge: 72 * time.Hour}
	for _, l := range Langs() {
		rt := reasonsOf(l)
		for _, cs := range codes {
			code := reason.Code(cs)
			s, ok := rt.plain[code]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s: reason %s has no description", l, cs)
			}
			if _, hasArgs := c.detailArgs(l, code, full); hasArgs {
				f, ok := rt.detailed[code]
				if !ok {
					t.Errorf("%s: reason %s has details but no detailed form", l, cs)
				} else if !slices.Equal(verbs(f), verbs(en.detailed[code])) {
					t.Errorf("%s: reason %s detailed form takes %v, English %v", l, cs, verbs(f), verbs(en.detailed[code]))
				}
				if got := c.Reason(l, code, full); strings.Contains(got, "%!") {
					t.Errorf("%s: reason %s: bad format: %q", l, cs, got)
				}
			}
		}
		for code := range rt.detailed {
			if _, ok := c.detailArgs(l, code, full); !ok {
				t.Errorf("%s: detailed form of %s is never used", l, code)
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
	c := New()
	for _, tt := range tests {
		if got := c.Reason(tt.l, tt.c, tt.d); got != tt.want {
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
	c := New()
	for _, tt := range tests {
		if got := c.Lookup(tt.l, tt.k, tt.args...); got != tt.want {
			t.Errorf("Lookup(%s, %s) = %q, want %q", tt.l, tt.k, got, tt.want)
		}
	}
	if got := New(KK, RU, EN).Join(" · ", HelpHintShort); got != "F1" {
		t.Errorf("Join shows the same text twice: %q", got)
	}
	if got := New(KK, EN).Join(" / ", Deny); got != "ТОҚТАҢЫЗ / STOP" {
		t.Errorf("Join = %q", got)
	}
	if got := New(EN, KK).WithLangs(RU, RU).Langs(); !slices.Equal(got, []Lang{RU}) {
		t.Errorf("WithLangs = %v", got)
	}
	if got := New().Langs(); !slices.Equal(got, Langs()) {
		t.Errorf("New() shows %v", got)
	}
	if got := New(RU, EN).Reasons(reason.Full, Details{Inside: 250, Capacity: 250}); !slices.Equal(got, []string{"мест нет 250/250", "venue is full 250/250"}) {
		t.Errorf("Reasons = %q", got)
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

// TestLangName: every language is named in itself, never by its code.
func TestLangName(t *testing.T) {
	want := map[Lang]string{KK: "Қазақша", RU: "Русский", EN: "English"}
	for _, l := range Langs() {
		if got := l.Name(); got != want[l] {
			t.Errorf("%s.Name() = %q, want %q", l, got, want[l])
		}
	}
}
