package dcc_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

// selfSigned makes a certificate over key, for the key types a DCC
// signer may not have.
func selfSigned(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{Country: []string{"FR"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestCheckSigningCertificates: ES256 and PS256 signers pass, in a
// canonical order with kid set, country taken from the subject when
// missing; every bad entry (kid mismatch, P-384, RSA 1024, not DSC, not
// base64, duplicate, bad country) is named and refuses the whole list.
func TestCheckSigningCertificates(t *testing.T) {
	now := time.Now()
	es, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := dcctest.NewSigner(cose.AlgorithmPS256, "AT", now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	good := fmt.Sprintf(`[{"country":"de","kid":%q,"rawData":%q,"certificateType":"DSC","timestamp":"x"},{"rawData":%q}]`,
		b64(es.Kid()), b64(es.DER), b64(ps.DER))
	got, err := dcc.CheckSigningCertificates([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Country != "AT" || got[0].Kid != b64(ps.Kid()) || got[1].Country != "DE" || got[1].RawData != b64(es.DER) {
		t.Fatalf("entries %+v", got)
	}
	enc, err := dcc.EncodeSigningCertificates(got)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := dcc.ReadTrustList(bytes.NewReader(enc))
	if err != nil || tl.Len() != 2 || len(tl.Candidates(es.Kid())) != 1 || len(tl.Candidates(ps.Kid())) != 1 {
		t.Fatalf("canonical list reads back: %v", err)
	}
	// The same signers in another order give the same bytes.
	swapped := fmt.Sprintf(`[{"rawData":%q,"country":"AT"},{"country":"DE","rawData":%q}]`, b64(ps.DER), b64(es.DER))
	got2, err := dcc.CheckSigningCertificates([]byte(swapped))
	if err != nil {
		t.Fatal(err)
	}
	if enc2, _ := dcc.EncodeSigningCertificates(got2); !bytes.Equal(enc, enc2) {
		t.Errorf("canonical form depends on input order")
	}

	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa1k, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, c := range map[string]struct{ body, want string }{
		"kid":       {fmt.Sprintf(`[{"country":"DE","kid":%q,"rawData":%q}]`, b64([]byte("12345678")), b64(es.DER)), "does not match"},
		"p384":      {fmt.Sprintf(`[{"country":"FR","rawData":%q}]`, b64(selfSigned(t, p384))), "P-256"},
		"rsa1024":   {fmt.Sprintf(`[{"country":"FR","rawData":%q}]`, b64(selfSigned(t, rsa1k))), "at least 2048"},
		"csca":      {fmt.Sprintf(`[{"country":"DE","certificateType":"CSCA","rawData":%q}]`, b64(es.DER)), "not DSC"},
		"base64":    {`[{"country":"DE","rawData":"%%%"}]`, "not base64"},
		"garbage":   {fmt.Sprintf(`[{"country":"DE","rawData":%q}]`, b64([]byte("not a certificate"))), "does not parse"},
		"duplicate": {fmt.Sprintf(`[{"country":"DE","rawData":%q},{"country":"DE","rawData":%q}]`, b64(es.DER), b64(es.DER)), "entry 2: the same certificate as entry 1"},
		"country":   {fmt.Sprintf(`[{"country":"DEU","rawData":%q}]`, b64(es.DER)), "two letters"},
		"empty":     {`[]`, "no signing certificate"},
		"notjson":   {`{`, "trust list"},
	} {
		// A good entry beside the bad one does not save the list.
		body := c.body
		if strings.HasPrefix(body, "[{") {
			body = fmt.Sprintf(`[{"country":"AT","rawData":%q},`, b64(ps.DER)) + body[1:]
		}
		if _, err := dcc.CheckSigningCertificates([]byte(body)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.want)
		}
	}
}
