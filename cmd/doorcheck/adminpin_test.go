package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/kiosk/adminpin"
)

// adminPINConfig writes a kiosk config whose store is in data/ and
// returns its path and where the PIN hash goes (beside the store).
func adminPINConfig(t *testing.T) (cfg, pinFile string) {
	t.Helper()
	dir := t.TempDir()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	cfg = filepath.Join(dir, "kiosk.yaml")
	os.WriteFile(cfg, []byte("kiosk: {id: k, venue: v, door: d}\nstore: {path: data/k.db}\nhub: {public_key: "+base64.StdEncoding.EncodeToString(pub)+"}\n"), 0o600)
	return cfg, filepath.Join(dir, "data", "admin.pin")
}

// TestAdminPINStdin: --stdin takes the first line; the hash lands beside
// the store, mode 0600, and matches that PIN only; a PIN that is not 4 to
// 12 digits is a usage error that writes nothing.
func TestAdminPINStdin(t *testing.T) {
	tests := []struct {
		name, stdin string
		code        int
		matches     string
	}{
		{"digits", "2580\n", exitOK, "2580"},
		{"crlf and no more lines read", "97531\r\nignored\n", exitOK, "97531"},
		{"no newline", "123456", exitOK, "123456"},
		{"too short", "123\n", exitUsage, ""},
		{"letters", "12ab\n", exitUsage, ""},
		{"empty", "", exitUsage, ""},
		{"too long", strings.Repeat("1", 100) + "\n", exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, pinFile := adminPINConfig(t)
			stdout, stderr, code := run(t, nil, tt.stdin, "admin-pin", "--config", cfg, "--stdin")
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			if strings.Contains(stdout+stderr, strings.TrimSpace(tt.stdin)) && tt.stdin != "" {
				t.Errorf("the PIN was printed: %q %q", stdout, stderr)
			}
			h, err := adminpin.Load(pinFile)
			if tt.matches == "" {
				if !errors.Is(err, adminpin.ErrNotSet) {
					t.Errorf("a refused PIN left a file: %v", err)
				}
				return
			}
			if err != nil || !h.Matches(tt.matches) || h.Matches("0000") {
				t.Fatalf("stored hash: %v", err)
			}
			fi, _ := os.Stat(pinFile)
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", fi.Mode().Perm())
			}
			raw, _ := os.ReadFile(pinFile)
			if bytes.Contains(raw, []byte(tt.matches)) || !bytes.HasPrefix(raw, []byte("$argon2id$")) {
				t.Errorf("file holds %q", raw)
			}
		})
	}
}

// TestAdminPINTerminal: on a terminal the PIN is read twice without echo;
// two different PINs change nothing; standard input that is no terminal
// (and no --stdin) is refused.
func TestAdminPINTerminal(t *testing.T) {
	tests := []struct {
		name          string
		first, second string
		code          int
	}{
		{"twice the same", "4711", "4711", exitOK},
		{"two different", "4711", "4712", exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, pinFile := adminPINConfig(t)
			ptm, pts, err := pty.Open()
			if err != nil {
				t.Skip(err)
			}
			defer ptm.Close()
			defer pts.Close()
			echoed := make(chan []byte, 1)
			go func() {
				// What the terminal shows: it must not hold the PIN.
				b, _ := io.ReadAll(ptm)
				echoed <- b
			}()
			var out, errb bytes.Buffer
			e := &env{stdin: pts, stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			go func() {
				time.Sleep(100 * time.Millisecond)
				ptm.Write([]byte(tt.first + "\r"))
				time.Sleep(100 * time.Millisecond)
				ptm.Write([]byte(tt.second + "\r"))
			}()
			code := Main(t.Context(), e, []string{"admin-pin", "--config", cfg})
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errb.String())
			}
			if !strings.Contains(errb.String(), "New admin PIN") || !strings.Contains(errb.String(), "Again") {
				t.Errorf("prompts: %q", errb.String())
			}
			pts.Close()
			ptm.Close()
			select {
			case b := <-echoed:
				if bytes.Contains(b, []byte(tt.first)) {
					t.Errorf("the terminal echoed the PIN: %q", b)
				}
			case <-time.After(2 * time.Second):
			}
			_, err = adminpin.Load(pinFile)
			if (err == nil) != (tt.code == exitOK) {
				t.Errorf("PIN file after exit %d: %v", code, err)
			}
		})
	}
	cfg, _ := adminPINConfig(t)
	if _, stderr, code := run(t, nil, "4711\n4711\n", "admin-pin", "--config", cfg); code != exitUsage || !strings.Contains(stderr, "--stdin") {
		t.Errorf("no terminal: exit %d, %s", code, stderr)
	}
}
