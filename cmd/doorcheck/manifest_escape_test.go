package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/snapgen"
)

// hostileText is manifest text meant for a terminal: an OSC title change
// ended by BEL, a clear screen, a right-to-left override, 8-bit CSI and
// OSC, a zero-width space and invalid UTF-8.
const hostileText = "venue\x1b]0;pwned\a\x1b[2J\u202eevil\u009b31m\u009d0;x\u200b\xff"

// TestSnapshotTextEscaped signs a snapshot with a test hub key whose
// manifest carries hostileText in its deployment and issuer name, imports
// it into a kiosk pinned to that key, and runs every command that prints
// from the manifest: nothing raw reaches the terminal, and the text is
// still recognisable, escaped.
func TestSnapshotTextEscaped(t *testing.T) {
	dir := t.TempDir()
	snap := snapgen.Generate(snapgen.Options{Subjects: 50, Seed: 42, CreatedAt: time.Now().Add(-time.Hour)})
	snap.Manifest.Deployment = hostileText
	snap.Manifest.Issuers[0].Name = hostileText
	file := filepath.Join(dir, "hostile.snap")
	if err := writeFileAtomic(file, snap.WriteFull); err != nil {
		t.Fatal(err)
	}
	key := base64.StdEncoding.EncodeToString(snap.Keys.Hub.Public().(ed25519.PublicKey))
	cfg := filepath.Join(dir, "kiosk.yaml")
	yaml := "kiosk: {id: k, venue: v, door: d}\nstore: {path: " + filepath.Join(dir, "k.db") + "}\nhub: {public_key: " + key + "}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run(t, nil, "", "snapshot", "import", "--config", cfg, file)
	if code != exitOK {
		t.Fatalf("import: exit %d, %s", code, errOut)
	}
	assertTerminalSafe(t, "import", out+errOut)
	out, errOut, code = run(t, nil, "", "snapshot", "info", "--config", cfg)
	if code != exitOK {
		t.Fatalf("info: exit %d, %s", code, errOut)
	}
	assertTerminalSafe(t, "info", out+errOut)
	if !strings.Contains(out, `deployment  venue\x1b]0;pwned\x07\x1b[2J\u202eevil`) {
		t.Errorf("deployment not shown escaped:\n%s", out)
	}
	for _, args := range [][]string{
		{"stats", "--config", cfg},
		{"check", "--config", cfg, "900101400003"},
		{"check", "--config", cfg, "--json", "900101400003"},
	} {
		out, errOut, _ := run(t, nil, "", args...)
		assertTerminalSafe(t, strings.Join(args, " "), out+errOut)
	}
	out, errOut, _ = run(t, nil, "900101400003\n", "run", "--config", cfg, "--no-tui")
	assertTerminalSafe(t, "run --no-tui", out+errOut)
}
