package dcc

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Signer is one trusted document signing certificate (DSC).
type Signer struct {
	Kid     []byte // first 8 bytes of SHA-256 over the DER, per the EU spec
	Country string
	Cert    *x509.Certificate
}

// TrustList holds the trusted signers indexed by key id. Key ids are only
// 8 bytes and collide in practice, so a kid maps to every signer with it
// and verification tries exactly those, never every key.
type TrustList struct {
	byKid map[string][]*Signer
	n     int
}

// KidOf is the EU key id of a DER certificate.
func KidOf(der []byte) []byte {
	h := sha256.Sum256(der)
	return h[:8]
}

// NewTrustList builds a list from parsed signers.
func NewTrustList(signers ...*Signer) *TrustList {
	t := &TrustList{byKid: map[string][]*Signer{}}
	for _, s := range signers {
		t.byKid[string(s.Kid)] = append(t.byKid[string(s.Kid)], s)
		t.n++
	}
	return t
}

// AddDER parses and adds a certificate, deriving its kid from the DER.
func (t *TrustList) AddDER(der []byte, country string) (*Signer, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	if country == "" && len(c.Subject.Country) > 0 {
		country = c.Subject.Country[0]
	}
	s := &Signer{Kid: KidOf(der), Country: strings.ToUpper(country), Cert: c}
	t.byKid[string(s.Kid)] = append(t.byKid[string(s.Kid)], s)
	t.n++
	return s, nil
}

// Candidates returns the signers whose key id is kid.
func (t *TrustList) Candidates(kid []byte) []*Signer {
	if t == nil {
		return nil
	}
	return t.byKid[string(kid)]
}

// Len is the number of signers.
func (t *TrustList) Len() int {
	if t == nil {
		return 0
	}
	return t.n
}

// TrustEntry is one element of the JSON trust list, the shape the EU
// gateway and national backends publish (extra fields are ignored).
type TrustEntry struct {
	Country string `json:"country"`
	Kid     string `json:"kid,omitempty"` // base64; checked against the DER when present
	RawData string `json:"rawData"`       // base64 DER
}

// MaxTrustListBytes bounds an imported trust list: the EU gateway's full
// list of some 1,500 signers is about 3 MB.
const MaxTrustListBytes = 16 << 20

// ReadTrustList reads a JSON array of TrustEntry. A kid that does not
// match its certificate is an error rather than silently re-derived, since
// it means the list is not what its publisher meant.
func ReadTrustList(r io.Reader) (*TrustList, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxTrustListBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxTrustListBytes {
		return nil, fmt.Errorf("trust list over %d bytes", MaxTrustListBytes)
	}
	var entries []TrustEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	t := NewTrustList()
	for i, e := range entries {
		der, err := base64.StdEncoding.DecodeString(e.RawData)
		if err != nil {
			return nil, fmt.Errorf("trust list entry %d: rawData: %w", i, err)
		}
		s, err := t.AddDER(der, e.Country)
		if err != nil {
			return nil, fmt.Errorf("trust list entry %d: %w", i, err)
		}
		if e.Kid != "" {
			kid, err := base64.StdEncoding.DecodeString(e.Kid)
			if err != nil || string(kid) != string(s.Kid) {
				return nil, fmt.Errorf("trust list entry %d: kid %q does not match its certificate", i, e.Kid)
			}
		}
	}
	return t, nil
}
