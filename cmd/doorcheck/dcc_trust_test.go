package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

// TestDCCTrustImport: a valid list is installed beside the store (or at
// dcc.trust_file) and reads back; a list with a kid that does not match
// its certificate, or an empty one, is refused and installs nothing.
func TestDCCTrustImport(t *testing.T) {
	dir := t.TempDir()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	cfg := filepath.Join(dir, "kiosk.yaml")
	os.WriteFile(cfg, []byte("kiosk: {id: k, venue: v, door: d}\nstore: {path: data/k.db}\nhub: {public_key: "+base64.StdEncoding.EncodeToString(pub)+"}\n"), 0o600)
	s, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", time.Now().Add(-time.Hour), time.Now().Add(time.Hour), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	installed := filepath.Join(dir, "data", "dcc-trust.json")

	bad := write("bad.json", `[{"country":"DE","kid":"`+b64([]byte("12345678"))+`","rawData":"`+b64(s.DER)+`"}]`)
	if _, stderr, code := run(t, nil, "", "dcc", "trust", "import", "--config", cfg, bad); code != exitFailure || !strings.Contains(stderr, "does not match") {
		t.Errorf("mismatched kid: exit %d, %s", code, stderr)
	}
	empty := write("empty.json", `[]`)
	if _, _, code := run(t, nil, "", "dcc", "trust", "import", "--config", cfg, empty); code != exitFailure {
		t.Errorf("empty list: exit %d", code)
	}
	if _, err := os.Stat(installed); !os.IsNotExist(err) {
		t.Fatalf("a refused list was installed: %v", err)
	}

	good := write("good.json", `[{"country":"DE","kid":"`+b64(s.Kid())+`","rawData":"`+b64(s.DER)+`","timestamp":"2026-01-01"}]`)
	out, stderr, code := run(t, nil, "", "dcc", "trust", "import", "--config", cfg, good)
	if code != exitOK || !strings.Contains(out, "installed 1 DCC signing certificates") {
		t.Fatalf("import: exit %d, %s %s", code, out, stderr)
	}
	tl, err := loadDCCTrust(installed)
	if err != nil || len(tl.Candidates(s.Kid())) != 1 {
		t.Fatalf("installed list: %v", err)
	}
	if tl, err := loadDCCTrust(filepath.Join(dir, "none.json")); err != nil || tl.Len() != 0 {
		t.Errorf("missing list: %v, %d signers; want empty", err, tl.Len())
	}
}
