package hub_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

func dscList(signers ...*dcctest.Signer) string {
	var parts []string
	for _, s := range signers {
		parts = append(parts, fmt.Sprintf(`{"country":%q,"kid":%q,"rawData":%q,"certificateType":"DSC"}`,
			s.Cert.Subject.Country[0], base64.StdEncoding.EncodeToString(s.Kid()), base64.StdEncoding.EncodeToString(s.DER)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// dscHub is a bbolt hub of its own, so this test does not lean on the
// import tests' fixture.
type dscHub struct {
	d    hub.DataDir
	st   hub.Storage
	keys hub.Keys
	cfg  hub.Config
	now  time.Time
}

func newDSCHub(t *testing.T) *dscHub {
	t.Helper()
	d := hub.DataDir(filepath.Join(t.TempDir(), "data"))
	cfg := hub.Config{Deployment: "test", IssuerName: "test issuer"}
	keys, err := hub.Keygen(d, cfg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(string(d), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &dscHub{d: d, st: st, keys: keys, cfg: cfg, now: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)}
}

func (f *dscHub) importText(t *testing.T, _ hub.InputFormat, text string, _ int) (*hub.ImportResult, error) {
	t.Helper()
	f.now = f.now.Add(time.Hour)
	return hub.Import(context.Background(), f.d, f.st, f.keys, f.cfg, strings.NewReader(text), hub.ImportOptions{
		Format: hub.CSV, Now: func() time.Time { return f.now },
	})
}

func (f *dscHub) index(t *testing.T) *protocol.Index {
	t.Helper()
	doc, err := os.ReadFile(f.d.ManifestFile())
	if err != nil {
		t.Fatal(err)
	}
	x, err := protocol.VerifyIndex(doc, f.keys.HubPublic())
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestImportDSCPublishesWithTheNextImport: a refused list stores nothing;
// a checked list is stored but not published until the next import,
// which names it in the signed index (file, size, SHA-256, signer count)
// with bytes a kiosk reads back; an unchanged list is not copied again
// (later versions name the same file); a changed one gets a new file; a
// hand-broken stored list fails the import instead of being published.
func TestImportDSCPublishesWithTheNextImport(t *testing.T) {
	f := newDSCHub(t)
	ctx := context.Background()
	now := time.Now()
	de, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	at, err := dcctest.NewSigner(cose.AlgorithmPS256, "AT", now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	csv := "iin,status,valid_until\n"

	bad := strings.Replace(dscList(de), base64.StdEncoding.EncodeToString(de.Kid()), base64.StdEncoding.EncodeToString([]byte("12345678")), 1)
	if _, err := hub.ImportDSC(ctx, f.d, strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("bad kid: %v", err)
	}
	if _, err := os.Stat(f.d.DSCFile()); !os.IsNotExist(err) {
		t.Fatalf("a refused list was stored: %v", err)
	}

	if _, err := f.importText(t, hub.CSV, csv, 0); err != nil {
		t.Fatal(err)
	}
	if x := f.index(t); x.DCCTrust != nil {
		t.Fatalf("version 1 names a trust list: %+v", x.DCCTrust)
	}

	res, err := hub.ImportDSC(ctx, f.d, strings.NewReader(dscList(de)))
	if err != nil || res.Signers != 1 || res.Countries != 1 || res.Unchanged {
		t.Fatalf("import-dsc: %+v %v", res, err)
	}
	if x := f.index(t); x.DCCTrust != nil {
		t.Fatal("import-dsc published before the next import")
	}
	if _, err := f.importText(t, hub.CSV, csv, 0); err != nil {
		t.Fatal(err)
	}
	x := f.index(t)
	if x.Version != 2 || x.DCCTrust == nil || x.DCCTrust.Name != protocol.DCCTrustName(2) || x.DCCTrust.Records != 1 || x.DCCTrust.SHA256 != res.SHA256 {
		t.Fatalf("version 2 trust list: %+v", x.DCCTrust)
	}
	body, err := os.ReadFile(filepath.Join(f.d.FilesDir(), x.DCCTrust.Name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if int64(len(body)) != x.DCCTrust.Size || hex.EncodeToString(sum[:]) != x.DCCTrust.SHA256 {
		t.Fatalf("published file does not match its index reference")
	}
	tl, err := dcc.ReadTrustList(bytes.NewReader(body))
	if err != nil || tl.Len() != 1 || len(tl.Candidates(de.Kid())) != 1 {
		t.Fatalf("published list reads back: %v", err)
	}

	// Unchanged: no new file, version 3 names version 2's.
	if res, err := hub.ImportDSC(ctx, f.d, strings.NewReader(dscList(de))); err != nil || !res.Unchanged {
		t.Fatalf("same list again: %+v %v", res, err)
	}
	if _, err := f.importText(t, hub.CSV, csv, 0); err != nil {
		t.Fatal(err)
	}
	if x := f.index(t); x.Version != 3 || x.DCCTrust == nil || x.DCCTrust.Name != protocol.DCCTrustName(2) {
		t.Fatalf("version 3 trust list: %+v", x.DCCTrust)
	}
	if _, err := os.Stat(filepath.Join(f.d.FilesDir(), protocol.DCCTrustName(3))); !os.IsNotExist(err) {
		t.Errorf("an unchanged list was copied: %v", err)
	}

	// Changed: a new file with both signers.
	if _, err := hub.ImportDSC(ctx, f.d, strings.NewReader(dscList(de, at))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.importText(t, hub.CSV, csv, 0); err != nil {
		t.Fatal(err)
	}
	if x := f.index(t); x.DCCTrust == nil || x.DCCTrust.Name != protocol.DCCTrustName(4) || x.DCCTrust.Records != 2 {
		t.Fatalf("version 4 trust list: %+v", x.DCCTrust)
	}

	// A stored list broken by hand fails the import; nothing is published.
	if err := os.WriteFile(f.d.DSCFile(), []byte(`[{"country":"DE","rawData":"AAAA"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.importText(t, hub.CSV, csv, 0); err == nil || !strings.Contains(err.Error(), "import-dsc it again") {
		t.Fatalf("import with a broken stored list: %v", err)
	}
	if x := f.index(t); x.Version != 4 {
		t.Fatalf("index at version %d after a refused import, want 4", x.Version)
	}
}
