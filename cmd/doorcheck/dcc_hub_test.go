package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// TestDCCTrustThroughTheHub runs the trust list's whole path between a
// real hub process and the kiosk: import-dsc → import (the list is named
// in the signed index) → sync --once (fetched, checked, installed) → a
// DCC signed by that signer is green at check; the local `dcc trust
// import` list no longer counts once the hub's is installed; a list
// tampered with on the hub is refused at the next sync, the installed
// list stays, and its signer's DCCs stay green while the new signer's are
// unknown.
func TestDCCTrustThroughTheHub(t *testing.T) {
	h := newTestHub(t)
	now := time.Now()
	newSigner := func() *dcctest.Signer {
		s, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	hubA, hubB, local := newSigner(), newSigner(), newSigner()
	list := func(s *dcctest.Signer) string {
		p := filepath.Join(t.TempDir(), "dsc.json")
		body := fmt.Sprintf(`[{"country":"DE","kid":%q,"rawData":%q,"certificateType":"DSC"}]`,
			base64.StdEncoding.EncodeToString(s.Kid()), base64.StdEncoding.EncodeToString(s.DER))
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := 0
	dccOf := func(s *dcctest.Signer) string {
		n++
		text, err := dcctest.Issue(s, dcctest.Claims{Issuer: "DE", IssuedAt: now.Add(-24 * time.Hour), Expires: now.AddDate(1, 0, 0),
			Cert: dcctest.Vaccination("Muster", "Erika", "1964-08-12", fmt.Sprintf("URN:UVCI:01:DE:HUB%d", n), 2, 2, now.AddDate(0, 0, -30).Truncate(24*time.Hour))}, dcctest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return text
	}

	if out := h.run("import-dsc", "--data", h.data, list(hubA)); !strings.Contains(out, "stored DCC trust list: 1 signing certificates from 1 countries") {
		t.Fatalf("import-dsc: %s", out)
	}
	iins := syncIINs(3)
	h.importIINs(iins, func(int) string { return "green" })
	h.serve()
	code := h.enroll("museum", "main")

	dir := t.TempDir()
	cfg := filepath.Join(dir, "etc", "kiosk.yaml")
	db := filepath.Join(dir, "var", "doorcheck.db")
	if out, errs, rc := run(t, nil, "", "provision", "--config", cfg, "--code", code, "--store", db); rc != 0 {
		t.Fatalf("provision: %d\n%s%s", rc, out, errs)
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("dcc:\n  enabled: true\n")
	f.Close()
	if out, errs, rc := run(t, nil, "", "dcc", "trust", "import", "--config", cfg, list(local)); rc != 0 {
		t.Fatalf("dcc trust import: %d\n%s%s", rc, out, errs)
	}

	decide := func(text string) string {
		t.Helper()
		out, errs, _ := run(t, nil, "", "check", "--config", cfg, "--json", text)
		var v struct {
			Verdict, Kind string
			Reasons       []string
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &v); err != nil || v.Kind != "dcc" {
			t.Fatalf("check: %v\n%s%s", err, out, errs)
		}
		if len(v.Reasons) > 0 && v.Verdict != "admit" {
			return v.Reasons[0]
		}
		return v.Verdict
	}
	// Before the first sync with DCC on: the local list counts.
	if got := decide(dccOf(local)); got != "admit" {
		t.Fatalf("local signer before the hub list: %s", got)
	}
	if got := decide(dccOf(hubA)); got != "dcc_unknown_signer" {
		t.Fatalf("hub signer before sync: %s", got)
	}

	if out, errs, rc := run(t, nil, "", "sync", "--config", cfg, "--once"); rc != 0 {
		t.Fatalf("sync --once: %d\n%s%s", rc, out, errs)
	}
	installed := filepath.Join(dir, "var", "dcc-trust-hub.json")
	if _, err := os.Stat(installed); err != nil {
		t.Fatalf("hub list not installed: %v", err)
	}
	if got := decide(dccOf(hubA)); got != "admit" {
		t.Fatalf("hub signer after sync: %s", got)
	}
	if got := decide(dccOf(local)); got != "dcc_unknown_signer" {
		t.Fatalf("local-only signer after the hub list: %s (the hub's list takes precedence)", got)
	}
	if out, _, _ := run(t, nil, "", "dcc", "trust", "import", "--config", cfg, list(local)); !strings.Contains(out, "takes precedence") {
		t.Errorf("dcc trust import with a hub list installed does not say which counts: %s", out)
	}

	// Upload the DCC visits: nothing of the holder is on either side's
	// disk (visit files, hub storage, snapshot files) or in what the
	// commands printed.
	out, errs, rc := run(t, nil, "", "sync", "--config", cfg, "--once")
	if rc != 0 || !strings.Contains(out, "uploaded: ") || strings.Contains(out, "uploaded: 0 new") {
		t.Fatalf("sync --once (upload): %d\n%s%s", rc, out, errs)
	}
	printed := out + errs
	for _, text := range []string{dccOf(hubA), dccOf(local)} {
		o, e, _ := run(t, nil, "", "check", "--config", cfg, "--json", text)
		printed += o + e
	}
	assertNoHolder(t, printed, dir, h.data)

	// Tamper with the next list on the hub: same size, one byte off.
	h.run("import-dsc", "--data", h.data, list(hubB))
	h.importIINs(iins, func(int) string { return "green" })
	published := filepath.Join(h.data, "public", "v1", "files", protocol.DCCTrustName(2))
	body, err := os.ReadFile(published)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(installed)
	i := strings.Index(string(body), `"rawData": "`) + len(`"rawData": "`) + 40
	body[i] ^= 'A' ^ 'B'
	if body[i] == good[i] {
		body[i] ^= 3
	}
	if err := os.WriteFile(published, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, rc = run(t, nil, "", "sync", "--config", cfg, "--once")
	if rc == 0 || !strings.Contains(out+errs, "refused") {
		t.Fatalf("sync with a tampered list: %d\n%s%s", rc, out, errs)
	}
	if now, _ := os.ReadFile(installed); string(now) != string(good) {
		t.Fatal("the tampered list replaced the installed one")
	}
	if got := decide(dccOf(hubA)); got != "admit" {
		t.Errorf("installed signer after the refused list: %s", got)
	}
	if got := decide(dccOf(hubB)); got != "dcc_unknown_signer" {
		t.Errorf("signer of the refused list: %s", got)
	}
}

// assertNoHolder fails when the DCC holder's name or date of birth (or a
// certificate identifier) is in printed or in any file under dirs.
func assertNoHolder(t *testing.T, printed string, dirs ...string) {
	t.Helper()
	secrets := []string{"Muster", "Erika", "1964-08-12", "URN:UVCI"}
	for _, sec := range secrets {
		if strings.Contains(printed, sec) {
			t.Errorf("%q printed:\n%s", sec, printed)
		}
	}
	files := 0
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			for _, sec := range secrets {
				if strings.Contains(string(b), sec) {
					t.Errorf("%q is in %s", sec, p)
				}
			}
			return nil
		})
	}
	if files < 4 {
		t.Errorf("only %d files looked at", files)
	}
}
