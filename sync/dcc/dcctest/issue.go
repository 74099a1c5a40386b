// Package dcctest issues EU Digital COVID Certificates with throwaway
// document signers, for tests, benchmarks and the demo. Never for real use:
// its keys are made on the spot and its certificates are self-signed.
package dcctest

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/pass"
)

// Signer is a document signer with its private key.
type Signer struct {
	Key  crypto.Signer
	DER  []byte
	Cert *x509.Certificate
	Alg  cose.Algorithm
}

// Kid is the signer's EU key id.
func (s *Signer) Kid() []byte { return dcc.KidOf(s.DER) }

// NewSigner makes an ES256 (P-256) or PS256 (RSA 2048) signer valid over
// [notBefore, notAfter], limited to the given extended-key-usage OIDs
// (none: every type). rnd is the key's entropy; pass a seeded reader for
// reproducible keys, or nil for crypto/rand.
func NewSigner(alg cose.Algorithm, country string, notBefore, notAfter time.Time, eku []asn1.ObjectIdentifier, rnd io.Reader) (*Signer, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var key crypto.Signer
	var err error
	switch alg {
	case cose.AlgorithmES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rnd)
	case cose.AlgorithmPS256:
		key, err = rsa.GenerateKey(rnd, 2048)
	default:
		return nil, fmt.Errorf("dcctest: unsupported algorithm %v", alg)
	}
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(1),
		Subject:            pkix.Name{Country: []string{country}, CommonName: "doorcheck test DSC " + country},
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: eku,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Signer{Key: key, DER: der, Cert: cert, Alg: alg}, nil
}

// Options shape the COSE envelope, to exercise every layout issuers use.
type Options struct {
	KidUnprotected bool   // kid only in the unprotected header
	AlgUnprotected bool   // alg only in the unprotected header
	WrongKid       []byte // also put this kid in the unprotected header
	Untagged       bool   // no tag 18
	CWTTag         bool   // wrap in tag 61
	FloatTimes     bool   // NumericDates as floats
	KidOverride    []byte // sign with this kid instead of the signer's
	Corrupt        bool   // flip a signature bit
}

// Claims are the CWT claims to sign.
type Claims struct {
	Issuer   string
	IssuedAt time.Time
	Expires  time.Time
	Cert     map[string]any // the eu_dcc_v1 content, as JSON-like values
}

// Issue signs claims and returns the HC1 text.
func Issue(s *Signer, c Claims, o Options) (string, error) {
	cose1, err := IssueCOSE(s, c, o)
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(cose1)
	zw.Close()
	return dcc.Prefix + pass.EncodeBase45(z.Bytes()), nil
}

// IssueCOSE signs claims and returns the COSE bytes (before zlib).
func IssueCOSE(s *Signer, c Claims, o Options) ([]byte, error) {
	claims := map[int64]any{
		1:    c.Issuer,
		-260: map[int64]any{1: c.Cert},
	}
	if o.FloatTimes {
		claims[4] = float64(c.Expires.Unix()) + 0.5
		claims[6] = float64(c.IssuedAt.Unix()) + 0.25
	} else {
		claims[4] = c.Expires.Unix()
		claims[6] = c.IssuedAt.Unix()
	}
	payload, err := cbor.Marshal(claims)
	if err != nil {
		return nil, err
	}
	kid := s.Kid()
	if o.KidOverride != nil {
		kid = o.KidOverride
	}
	h := cose.Headers{Protected: cose.ProtectedHeader{}, Unprotected: cose.UnprotectedHeader{}}
	if o.AlgUnprotected {
		h.Unprotected[cose.HeaderLabelAlgorithm] = s.Alg
	} else {
		h.Protected[cose.HeaderLabelAlgorithm] = s.Alg
	}
	if o.KidUnprotected {
		h.Unprotected[cose.HeaderLabelKeyID] = kid
	} else {
		h.Protected[cose.HeaderLabelKeyID] = kid
		if o.WrongKid != nil {
			h.Unprotected[cose.HeaderLabelKeyID] = o.WrongKid
		}
	}
	signer, err := cose.NewSigner(s.Alg, s.Key)
	if err != nil {
		return nil, err
	}
	msg := cose.UntaggedSign1Message{Headers: h, Payload: payload}
	// Sign over the protected header alone (go-cose would refuse an alg
	// outside it): build the Sig_structure the verifier will.
	prot, err := h.MarshalProtected()
	if err != nil {
		return nil, err
	}
	var inner []byte
	if err := cbor.Unmarshal(prot, &inner); err != nil {
		return nil, err
	}
	tbs, err := cbor.Marshal([]any{"Signature1", inner, []byte{}, payload})
	if err != nil {
		return nil, err
	}
	msg.Signature, err = signer.Sign(rand.Reader, tbs)
	if err != nil {
		return nil, err
	}
	if o.Corrupt {
		msg.Signature[len(msg.Signature)/2] ^= 1
	}
	msg.Headers.RawProtected = prot
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, err
	}
	if !o.Untagged {
		out = append([]byte{0xd2}, out...) // tag 18
	}
	if o.CWTTag {
		out = append([]byte{0xd8, 61}, out...)
	}
	return out, nil
}

// Vaccination is a schema 1.3 vaccination certificate content.
func Vaccination(fn, gn, dob, ci string, dose, of int, date time.Time) map[string]any {
	return map[string]any{
		"ver": "1.3.0",
		"nam": map[string]any{"fn": fn, "gn": gn, "fnt": fn, "gnt": gn},
		"dob": dob,
		"v": []any{map[string]any{
			"tg": "840539006", "vp": "J07BX03", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
			"dn": dose, "sd": of, "dt": date.Format("2006-01-02"), "co": "DE", "is": "doorcheck test", "ci": ci,
		}},
	}
}

// Test is a schema 1.3 test certificate content; pcr picks NAA over rapid.
func Test(fn, gn, dob, ci string, pcr bool, sample time.Time, negative bool) map[string]any {
	tt := "LP217198-3"
	if pcr {
		tt = "LP6464-4"
	}
	tr := "260373001"
	if negative {
		tr = "260415000"
	}
	return map[string]any{
		"ver": "1.3.0",
		"nam": map[string]any{"fn": fn, "gn": gn, "fnt": fn, "gnt": gn},
		"dob": dob,
		"t": []any{map[string]any{
			"tg": "840539006", "tt": tt, "sc": sample.UTC().Format(time.RFC3339), "tr": tr,
			"tc": "Test centre", "co": "DE", "is": "doorcheck test", "ci": ci,
		}},
	}
}

// Recovery is a schema 1.3 recovery certificate content.
func Recovery(fn, gn, dob, ci string, firstPositive, from, until time.Time) map[string]any {
	return map[string]any{
		"ver": "1.3.0",
		"nam": map[string]any{"fn": fn, "gn": gn, "fnt": fn, "gnt": gn},
		"dob": dob,
		"r": []any{map[string]any{
			"tg": "840539006", "fr": firstPositive.Format("2006-01-02"),
			"df": from.Format("2006-01-02"), "du": until.Format("2006-01-02"),
			"co": "DE", "is": "doorcheck test", "ci": ci,
		}},
	}
}
