package kiosk

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/reason"
)

func dscJSON(t *testing.T, signers ...*dcctest.Signer) []byte {
	t.Helper()
	b, err := dcctest.TrustList(signers...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDCCTrustPrecedence: the local list counts until the hub's is
// installed, then the hub's alone (a signer only the local list has is
// unknown); a refused install keeps the installed list; the installed
// file is read back at the next start; an unreadable one stops the start.
func TestDCCTrustPrecedence(t *testing.T) {
	local, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", demoDay.AddDate(-1, 0, 0), demoDay.AddDate(1, 0, 0), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromHub, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", demoDay.AddDate(-1, 0, 0), demoDay.AddDate(1, 0, 0), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tl := dcc.NewTrustList()
	tl.AddDER(local.DER, "DE")
	path := filepath.Join(t.TempDir(), "dcc-trust-hub.json")
	trust, err := OpenDCCTrust(path, tl)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, Settings{DCC: &DCCSettings{Verifier: dcc.Verifier{CheckKeyUsage: true}, Rules: dcc.DefaultRules(), Trust: trust}})
	vacc := func(ci string) map[string]any {
		return dcctest.Vaccination("Muster", "Erika", "1964-08-12", ci, 2, 2, demoDay.Add(-30*24*time.Hour))
	}
	check := func(s *dcctest.Signer, ci string) Verdict {
		f.clock.add(10 * time.Second)
		return f.check(issueDCC(t, s, vacc(ci), dcctest.Options{}))
	}
	if v := check(local, "L1"); v.Decision != Admit {
		t.Fatalf("local signer before a hub list: %v %v", v.Decision, v.Reasons)
	}
	if v := check(fromHub, "H1"); !v.HasReason(reason.DCCUnknownSigner) {
		t.Fatalf("hub signer before the hub list: %v %v", v.Decision, v.Reasons)
	}
	if _, src := trust.Current(); src != DCCTrustLocal || trust.HubSHA256() != "" {
		t.Fatalf("source %v before install", src)
	}

	list := dscJSON(t, fromHub)
	if err := trust.Install(list); err != nil {
		t.Fatal(err)
	}
	if v := check(fromHub, "H2"); v.Decision != Admit {
		t.Fatalf("hub signer after install: %v %v", v.Decision, v.Reasons)
	}
	if v := check(local, "L2"); !v.HasReason(reason.DCCUnknownSigner) {
		t.Fatalf("local-only signer after the hub list: %v %v (the hub's list replaces the local one)", v.Decision, v.Reasons)
	}
	sha := trust.HubSHA256()
	for name, bad := range map[string][]byte{"garbage": []byte("{"), "empty": []byte("[]"), "bad cert": []byte(`[{"country":"DE","rawData":"AAAA"}]`)} {
		if err := trust.Install(bad); err == nil {
			t.Errorf("%s installed", name)
		}
	}
	if trust.HubSHA256() != sha {
		t.Fatal("a refused install replaced the list")
	}
	if got, _ := os.ReadFile(path); string(got) != string(list) {
		t.Fatal("a refused install touched the file")
	}
	if v := check(fromHub, "H3"); v.Decision != Admit {
		t.Fatalf("after refused installs: %v %v", v.Decision, v.Reasons)
	}

	again, err := OpenDCCTrust(path, tl)
	if err != nil || again.HubSHA256() != sha {
		t.Fatalf("reopen: %v, sha %s", err, again.HubSHA256())
	}
	if l, src := again.Current(); src != DCCTrustHub || len(l.Candidates(fromHub.Kid())) != 1 {
		t.Fatalf("reopened source %v", src)
	}
	os.WriteFile(path, []byte("not json"), 0o644)
	if _, err := OpenDCCTrust(path, tl); err == nil {
		t.Fatal("an unreadable installed list opened")
	}
}
