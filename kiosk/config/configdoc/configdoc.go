// Package configdoc writes configs/README.md from the kiosk config types
// themselves: every field's path, YAML type, default, environment
// variable and doc comment. The README is generated, not written, so it
// cannot drift from the code: a new field appears in it by `go generate
// ./kiosk/config/...`, and the package's tests fail when a field has no
// doc comment or the README in the tree is not what Render writes.
//
// Field structure comes from reflection over config.Config (yaml tags
// and the values of config.Defaults); the prose comes from the doc and
// line comments in the config package's source, which only the parser
// can read.
package configdoc

//go:generate go run ./gen -src .. -out ../../../configs/README.md

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/doorcheck/doorcheck/kiosk/config"
)

// Field is one documented setting.
type Field struct {
	Path    string // policy.schedule[].days
	Type    string // duration, text, list of text …
	Default string // as YAML; empty when there is none
	Env     string // the environment variable that overrides it, if any
	Doc     string // the doc comment, one paragraph
	Section bool   // a mapping of further fields, not a value
}

// Undocumented lists fields that have no doc comment.
type Undocumented struct{ Fields []string }

func (u *Undocumented) Error() string {
	return fmt.Sprintf("%d config fields have no doc comment (write one in kiosk/config, then go generate ./kiosk/config/...): %s",
		len(u.Fields), strings.Join(u.Fields, ", "))
}

// Fields walks config.Config in file order, reading comments from the
// Go files in src (the config package's directory). A field without a
// doc or line comment makes the error an *Undocumented, with the fields
// still returned.
func Fields(src string) ([]Field, error) {
	docs, typeDocs, err := comments(src)
	if err != nil {
		return nil, err
	}
	var out []Field
	var missing []string
	var walk func(t reflect.Type, v reflect.Value, path string)
	walk = func(t reflect.Type, v reflect.Value, path string) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name := strings.Split(sf.Tag.Get("yaml"), ",")[0]
			if !sf.IsExported() || name == "" || name == "-" {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			ft := sf.Type
			var fv reflect.Value
			if v.IsValid() {
				fv = v.Field(i)
			}
			text := docs[t.Name()+"."+sf.Name]
			f := Field{Path: p, Env: sf.Tag.Get("env")}
			switch {
			case isSection(ft):
				f.Section = true
				if text == "" {
					text = typeDocs[ft.Name()]
				}
			case ft.Kind() == reflect.Slice && isSection(ft.Elem()):
				f.Section = true
				f.Type = "list"
				if text == "" {
					text = typeDocs[ft.Elem().Name()]
				}
			default:
				f.Type = typeName(ft)
				f.Default = defaultOf(fv)
			}
			f.Doc = text
			if text == "" {
				missing = append(missing, p)
			}
			out = append(out, f)
			switch {
			case isSection(ft):
				walk(ft, fv, p)
			case ft.Kind() == reflect.Slice && isSection(ft.Elem()):
				walk(ft.Elem(), reflect.Value{}, p+"[]")
			}
		}
	}
	walk(reflect.TypeOf(config.Config{}), reflect.ValueOf(*config.Defaults()), "")
	if len(missing) > 0 {
		return out, &Undocumented{Fields: missing}
	}
	return out, nil
}

// isSection reports whether t is a mapping of named fields in the file,
// not a value with its own YAML form (config.Duration is a struct but is
// written "24h").
func isSection(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	_, custom := reflect.PointerTo(t).MethodByName("UnmarshalYAML")
	return !custom
}

// typeName says in words what YAML a value takes.
func typeName(t reflect.Type) string {
	switch t.Name() {
	case "Duration":
		return "duration (90s, 1500ms, 24h)"
	case "ByteSize":
		return "size (8MB, 512kB)"
	case "Statuses":
		return "statuses (a preset or a list)"
	case "Direction", "Mode":
		return "word"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "mapping of " + typeName(t.Key()) + " to " + typeName(t.Elem())
	}
	return t.Kind().String()
}

// defaultOf is the default as it would be written in the file; empty
// (shown as "none") for empty text and lists. Zero numbers, false and
// values with their own text form (entry) are written out.
func defaultOf(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
	}
	if v.Kind() == reflect.Slice {
		items := make([]string, v.Len())
		for i := range items {
			items[i] = defaultOf(v.Index(i))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	b, err := yaml.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return strings.TrimSpace(string(b))
}

// comments reads the doc (or, failing that, line) comment of every struct
// field in src, keyed "Type.Field", and every type's doc, keyed by name.
func comments(src string) (fields, types map[string]string, err error) {
	fset := token.NewFileSet()
	matches, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	fields, types = map[string]string{}, map[string]string{}
	n := 0
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, parser.ParseComments)
		if err != nil {
			return nil, nil, err
		}
		n++
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				tdoc := ts.Doc
				if tdoc == nil && len(g.Specs) == 1 {
					tdoc = g.Doc
				}
				types[ts.Name.Name] = paragraph(tdoc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					text := paragraph(fl.Doc)
					if text == "" {
						text = paragraph(fl.Comment)
					}
					for _, nm := range fl.Names {
						fields[ts.Name.Name+"."+nm.Name] = text
					}
				}
			}
		}
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("no Go files in %s", src)
	}
	return fields, types, nil
}

// paragraph is a comment as one line of prose.
func paragraph(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

// Render writes the README.
func Render(src string) ([]byte, error) {
	fields, err := Fields(src)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(header)
	for _, f := range fields {
		depth := strings.Count(f.Path, ".")
		if f.Section && depth == 0 {
			fmt.Fprintf(&b, "\n## `%s`\n\n%s\n\n", f.Path, f.Doc)
			continue
		}
		indent := strings.Repeat("  ", max(depth-1, 0))
		fmt.Fprintf(&b, "%s- **`%s`**", indent, f.Path)
		var facts []string
		if f.Type != "" {
			facts = append(facts, f.Type)
		}
		if !f.Section {
			if f.Default == "" {
				facts = append(facts, "default: none")
			} else {
				facts = append(facts, "default: `"+f.Default+"`")
			}
		}
		if f.Env != "" {
			facts = append(facts, "environment: `$"+f.Env+"`")
		}
		if len(facts) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(facts, "; "))
		}
		fmt.Fprintf(&b, ": %s\n", doc.Synopsis(f.Doc)+rest(f.Doc))
	}
	b.WriteString(footer)
	return b.Bytes(), nil
}

// rest is what of text follows its synopsis: the README keeps the whole
// comment, Synopsis only normalises the first sentence.
func rest(text string) string {
	s := doc.Synopsis(text)
	if i := strings.Index(text, s); i >= 0 && len(text) > i+len(s) {
		return text[i+len(s):]
	}
	return ""
}

// Check reports whether the file at path is what Render writes.
func Check(src, path string) error {
	want, err := Render(src)
	if err != nil {
		return err
	}
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return errors.New(path + " is not what the config types say: run go generate ./kiosk/config/...")
	}
	return nil
}

const header = `<!-- Code generated by go generate ./kiosk/config/...; DO NOT EDIT. -->
<!-- Source: the doc comments of kiosk/config's types (kiosk/config/configdoc). -->

# Kiosk configuration

One YAML file, by default ` + "`/etc/doorcheck/kiosk.yaml`" + ` (or ` + "`--config FILE`" + `, or
` + "`$DOORCHECK_CONFIG`" + `). Only the identity (` + "`kiosk.id`, `kiosk.venue`, `kiosk.door`" + `) and the
hub key (` + "`hub.public_key`" + `) are required; every other field has the default shown.
Unknown fields are errors (a typo never silently falls back to a default).

Check a file before you install it; every problem is listed with its field and
line, and the exit status is non-zero when there is one:

    doorcheck config check --config /etc/doorcheck/kiosk.yaml

Relative paths are taken relative to the config file's directory. A field
marked *environment* is replaced by that variable when it is set and not
empty, so a secret can live outside the file (for example in a systemd
` + "`EnvironmentFile=`" + `); ` + "`$DOORCHECK_HUB_CREDENTIAL`" + `, when set, is the hub credential
itself and is used instead of ` + "`hub.credential_file`" + `.

Example profiles, each checked by the test suite (` + "`TestProfilesPassCheck`" + `):

| file | for |
|---|---|
| ` + "`kiosk.example.yaml`" + ` | every field with its default, commented |
| ` + "`entrance.yaml`" + ` | an entrance terminal: keyboard-wedge scanner, full layout |
| ` + "`handheld.yaml`" + ` | a guard's handheld: serial scanner, wedge off, compact screen |
| ` + "`test-required.yaml`" + ` | a test-required venue (airport): green only |
| ` + "`exit.yaml`" + ` | an exit door: every exit recorded, never refused |
| ` + "`checkpoint.yaml`" + ` | a movement-permit checkpoint: passes with one-hour windows |
| ` + "`cinema.yaml`" + ` | a cinema: green only at weekends by a schedule rule |

Also here: ` + "`doorcheck.service`" + ` (the TUI on tty1), ` + "`doorcheck-headless.service`" + `,
` + "`doorcheck-hub.service`" + `, ` + "`99-doorcheck-scanner.rules`" + ` (see docs/appliance.md).

# Fields
`

const footer = `
---
Regenerate after changing a field or its comment: ` + "`go generate ./kiosk/config/...`" + `.
`
