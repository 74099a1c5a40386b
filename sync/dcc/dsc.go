package dcc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// MinRSABits is the smallest RSA modulus a PS256 signer may have.
const MinRSABits = 2048

// maxDSCErrors caps the entries one refusal lists (all are counted).
const maxDSCErrors = 20

// DSCEntry is one checked document signing certificate, in the JSON
// shape ReadTrustList reads (TrustEntry) with kid always set.
type DSCEntry = TrustEntry

// CheckSigningCertificates reads a trust list in the EU gateway and
// national backend shape (a JSON array of {country, kid, rawData,
// certificateType, …}) strictly, for a hub that is about to publish it:
// every certificate parses; its key is ES256's (ECDSA P-256) or PS256's
// (RSA, at least MinRSABits); a given kid equals the first 8 bytes of
// SHA-256 over the DER; certificateType, when given, is DSC; the country is
// two letters (from the certificate's subject C when the entry has none);
// no certificate appears twice. Any bad entry refuses the whole list, with
// every bad entry named (the first maxDSCErrors of them).
//
// The result is canonical: sorted by country, then kid, then DER, kid
// always set, unknown fields dropped, so the same set of signers always
// gives the same bytes (and the same hash in a snapshot index).
func CheckSigningCertificates(data []byte) ([]DSCEntry, error) {
	if len(data) > MaxTrustListBytes {
		return nil, fmt.Errorf("trust list over %d bytes", MaxTrustListBytes)
	}
	var raw []struct {
		TrustEntry
		CertificateType string `json:"certificateType,omitempty"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("trust list holds no signing certificate")
	}
	var errs []error
	bad := 0
	fail := func(i int, format string, args ...any) {
		bad++
		if bad <= maxDSCErrors {
			errs = append(errs, fmt.Errorf("entry %d: %s", i, fmt.Sprintf(format, args...)))
		}
	}
	seen := map[string]int{}
	out := make([]DSCEntry, 0, len(raw))
	for i, e := range raw {
		if e.CertificateType != "" && e.CertificateType != "DSC" {
			fail(i, "certificateType %q is not DSC", clip(e.CertificateType))
			continue
		}
		der, err := base64.StdEncoding.DecodeString(e.RawData)
		if err != nil || len(der) == 0 {
			fail(i, "rawData is not base64 DER")
			continue
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			fail(i, "certificate does not parse: %v", err)
			continue
		}
		if err := signerKeyOK(c); err != nil {
			fail(i, "%v", err)
			continue
		}
		kid := KidOf(der)
		if e.Kid != "" {
			given, err := base64.StdEncoding.DecodeString(e.Kid)
			if err != nil || !bytes.Equal(given, kid) {
				fail(i, "kid %q does not match its certificate (want %s)", clip(e.Kid), base64.StdEncoding.EncodeToString(kid))
				continue
			}
		}
		country := strings.ToUpper(e.Country)
		if country == "" && len(c.Subject.Country) > 0 {
			country = strings.ToUpper(c.Subject.Country[0])
		}
		if !isCountry(country) {
			fail(i, "country %q is not two letters", clip(country))
			continue
		}
		if j, dup := seen[string(der)]; dup {
			fail(i, "the same certificate as entry %d", j)
			continue
		}
		seen[string(der)] = i
		out = append(out, DSCEntry{Country: country, Kid: base64.StdEncoding.EncodeToString(kid), RawData: base64.StdEncoding.EncodeToString(der)})
	}
	if bad > 0 {
		if bad > maxDSCErrors {
			errs = append(errs, fmt.Errorf("… and %d more", bad-maxDSCErrors))
		}
		return nil, fmt.Errorf("trust list: %d of %d entries refused, nothing imported:\n%w", bad, len(raw), errors.Join(errs...))
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Country != y.Country {
			return x.Country < y.Country
		}
		if x.Kid != y.Kid {
			return x.Kid < y.Kid
		}
		return x.RawData < y.RawData
	})
	return out, nil
}

// EncodeSigningCertificates is the canonical JSON of checked entries, the
// bytes a hub publishes and a kiosk reads with ReadTrustList.
func EncodeSigningCertificates(entries []DSCEntry) ([]byte, error) {
	b, err := json.MarshalIndent(entries, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// signerKeyOK accepts the keys of the two DCC signature algorithms.
func signerKeyOK(c *x509.Certificate) error {
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA key on %s: ES256 needs P-256", k.Curve.Params().Name)
		}
		return nil
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSABits {
			return fmt.Errorf("RSA key of %d bits: PS256 needs at least %d", k.N.BitLen(), MinRSABits)
		}
		return nil
	}
	return fmt.Errorf("%v key: a DCC signer has an ES256 (P-256) or PS256 (RSA) key", c.PublicKeyAlgorithm)
}

func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// clip bounds a piece of input quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
