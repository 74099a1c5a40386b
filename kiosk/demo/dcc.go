package demo

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

// DCCSigner is the demo document signer for EU Digital COVID Certificates:
// an ES256 key from a fixed seed, in a certificate issued by a demo CSCA
// with an Ed25519 signature (deterministic), so its key id is the same in
// every process and a listed sample verifies in another one.
func DCCSigner() (*dcctest.Signer, error) {
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed("dcc signer"))
	if err != nil {
		return nil, err
	}
	csca := ed25519.NewKeyFromSeed(seed("dcc csca"))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{Country: []string{"DE"}, CommonName: "doorcheck demo DSC"},
		Issuer:       pkix.Name{Country: []string{"DE"}, CommonName: "doorcheck demo CSCA"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	parent := &x509.Certificate{Subject: tmpl.Issuer, SerialNumber: big.NewInt(1)}
	der, err := x509.CreateCertificate(nil, tmpl, parent, key.Public(), csca)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &dcctest.Signer{Key: key, DER: der, Cert: cert, Alg: cose.AlgorithmES256}, nil
}

// DCCTrustList trusts the demo signer alone.
func DCCTrustList() (*dcc.TrustList, error) {
	s, err := DCCSigner()
	if err != nil {
		return nil, err
	}
	tl := dcc.NewTrustList()
	if _, err := tl.AddDER(s.DER, "DE"); err != nil {
		return nil, err
	}
	return tl, nil
}

// DCCSamples are demo certificates relative to now: a valid vaccination
// (second dose 60 days ago), an expired rapid test (sampled 2 days ago) and
// a vaccination with a forged signature.
func DCCSamples(now time.Time) ([]Sample, error) {
	s, err := DCCSigner()
	if err != nil {
		return nil, err
	}
	day := now.UTC().Truncate(24 * time.Hour)
	claims := func(cert map[string]any) dcctest.Claims {
		return dcctest.Claims{Issuer: "DE", IssuedAt: day.AddDate(0, 0, -60), Expires: day.AddDate(1, 0, 0), Cert: cert}
	}
	vacc := dcctest.Vaccination("Musterfrau", "Erika", "1964-08-12", "URN:UVCI:01:DE:DEMO0001#X", 2, 2, day.AddDate(0, 0, -60))
	test := dcctest.Test("Mustermann", "Max", "1990-01-01", "URN:UVCI:01:DE:DEMO0002#X", false, day.AddDate(0, 0, -2), true)
	specs := []struct {
		label, expect string
		cert          map[string]any
		forge         bool
	}{
		{"EU COVID certificate, vaccinated", "green, admit (dcc.enabled)", vacc, false},
		{"EU COVID certificate, expired rapid test", "not verified: dcc_expired", test, false},
		{"EU COVID certificate, forged signature", "not verified: dcc_bad_signature", vacc, true},
	}
	var out []Sample
	for _, sp := range specs {
		text, err := dcctest.Issue(s, claims(sp.cert), dcctest.Options{Corrupt: sp.forge})
		if err != nil {
			return nil, fmt.Errorf("demo DCC %q: %w", sp.label, err)
		}
		out = append(out, Sample{Label: sp.label, Payload: text, Expect: sp.expect})
	}
	return out, nil
}
