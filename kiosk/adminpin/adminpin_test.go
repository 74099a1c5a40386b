package adminpin

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cheap keeps the tests fast; the encoding carries the parameters, so
// Matches uses them whatever DefaultParams says.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashMatches(t *testing.T) {
	enc, err := Hash("2580", cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	enc2, _ := Hash("2580", cheap, rand.Reader)
	if enc == enc2 {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	h, err := Parse(enc)
	if err != nil {
		t.Fatal(err)
	}
	for pin, want := range map[string]bool{"2580": true, "2581": false, "": false, "02580": false} {
		if got := h.Matches(pin); got != want {
			t.Errorf("Matches(%q) = %v", pin, got)
		}
	}
	if (Hashed{}).Matches("") {
		t.Error("the zero Hashed matches")
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		pin string
		ok  bool
	}{
		{"0000", true}, {"123456789012", true}, {"123", false}, {"1234567890123", false}, {"12a4", false}, {"١٢٣٤", false},
	}
	for _, tt := range tests {
		if err := Check(tt.pin); (err == nil) != tt.ok {
			t.Errorf("Check(%q) = %v", tt.pin, err)
		}
	}
}

// TestParseRefuses: a damaged or hostile file is refused before argon2id
// runs with what it says.
func TestParseRefuses(t *testing.T) {
	good, _ := Hash("2580", cheap, rand.Reader)
	parts := strings.Split(good, "$")
	tests := map[string]string{
		"empty":       "",
		"argon2i":     strings.Replace(good, "argon2id", "argon2i", 1),
		"version":     strings.Replace(good, "v=19", "v=16", 1),
		"huge memory": "$argon2id$v=19$m=4194304,t=1,p=1$" + parts[4] + "$" + parts[5],
		"huge time":   "$argon2id$v=19$m=64,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"no threads":  "$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"bad salt":    "$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5],
		"short hash":  "$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$AAAA",
		"extra field": good + "$x",
	}
	for name, enc := range tests {
		if _, err := Parse(enc); err == nil {
			t.Errorf("%s: accepted %q", name, enc)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "admin.pin")
	if _, err := Load(path); !errors.Is(err, ErrNotSet) {
		t.Fatalf("no file: %v", err)
	}
	enc, _ := Hash("97531", cheap, rand.Reader)
	if err := Save(path, enc); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	h, err := Load(path)
	if err != nil || !h.Matches("97531") {
		t.Fatalf("load: %v", err)
	}
	if err := Save(path, "not a hash"); err == nil {
		t.Error("saved a bad hash")
	}
	for _, content := range []string{"garbage\n", ""} {
		os.WriteFile(path, []byte(content), 0o600)
		if _, err := Load(path); err == nil || errors.Is(err, ErrNotSet) {
			t.Errorf("file %q: %v (a damaged file is not 'no PIN': that would unlock the kiosk)", content, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left temporary files: %v", entries)
	}
}
