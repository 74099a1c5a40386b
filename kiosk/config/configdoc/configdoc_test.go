package configdoc

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const readme = "../../../configs/README.md"

// capacityComment is the Capacity field's line comment, which
// TestUndocumentedFieldCaught removes.
var capacityComment = regexp.MustCompile("(?m)^(\\tCapacity\\s+int\\s+`yaml:\"capacity\"`)\\s*//.*$")

// TestEveryFieldDocumented fails when a field of the kiosk config has no
// doc comment: every field must be explained before it ships.
func TestEveryFieldDocumented(t *testing.T) {
	if _, err := Fields(".."); err != nil {
		t.Fatal(err)
	}
}

// TestReadmeCurrent fails when configs/README.md is not what the config
// types say (a field added, renamed, its default or comment changed
// without go generate).
func TestReadmeCurrent(t *testing.T) {
	if err := Check("..", readme); err != nil {
		t.Fatal(err)
	}
}

// TestUndocumentedFieldCaught proves the check bites: a copy of the
// config package with one doc comment removed is reported by field path.
func TestUndocumentedFieldCaught(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob("../*.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if filepath.Base(f) == "config.go" {
			before := s
			s = capacityComment.ReplaceAllString(s, "$1")
			if s == before {
				t.Fatal("config.go no longer has the Capacity line this test edits")
			}
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(s), 0o644)
	}
	_, err := Fields(dir)
	var u *Undocumented
	if !errors.As(err, &u) || !reflect.DeepEqual(u.Fields, []string{"policy.capacity"}) {
		t.Fatalf("err = %v, want policy.capacity undocumented", err)
	}
}

// TestEveryFieldInReadme checks the rendered text names every field,
// including new ones nobody listed by hand.
func TestEveryFieldInReadme(t *testing.T) {
	fields, err := Fields("..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if !strings.Contains(string(b), "`"+f.Path+"`") {
			t.Errorf("%s missing from the README", f.Path)
		}
	}
	for _, want := range []string{"`policy.schedule[].days`", "`scanner.serial.baud`** (integer; default: `9600`)", "`hub.credential_file`** (text; default: none; environment: `$DOORCHECK_HUB_CREDENTIAL_FILE`)"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README lacks %s", want)
		}
	}
}
