package dcc

import (
	"fmt"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// CWT claim keys (RFC 8392) and the EU health-certificate claim.
const (
	claimIssuer   = 1
	claimExpiry   = 4
	claimIssuedAt = 6
	claimHCert    = -260
	hcertEUDCCv1  = 1
)

// Claims are the CWT claims of a DCC with the certificate still raw, so
// the conformance runner can compare it with the JSON form.
type Claims struct {
	Issuer   string    // ISO 3166 country of the issuer
	Expires  time.Time // zero when absent
	IssuedAt time.Time // zero when absent
	RawCert  cbor.RawMessage
}

// ParseClaims decodes the CWT payload of a COSE_Sign1.
func ParseClaims(payload []byte) (Claims, error) {
	var m map[int64]cbor.RawMessage
	if err := dec.Unmarshal(payload, &m); err != nil {
		return Claims{}, &Error{Kind: KindMalformed, Stage: StageClaims, Err: fmt.Errorf("CWT claims: %w", err)}
	}
	var c Claims
	if raw, ok := m[claimIssuer]; ok {
		if err := dec.Unmarshal(raw, &c.Issuer); err != nil {
			return Claims{}, &Error{Kind: KindMalformed, Stage: StageClaims, Err: fmt.Errorf("iss: %w", err)}
		}
	}
	var err error
	if c.Expires, err = numericDate(m, claimExpiry); err != nil {
		return Claims{}, err
	}
	if c.IssuedAt, err = numericDate(m, claimIssuedAt); err != nil {
		return Claims{}, err
	}
	raw, ok := m[claimHCert]
	if !ok {
		return Claims{}, fail(KindMalformed, StageClaims, "no health certificate claim (-260)")
	}
	var hc map[int64]cbor.RawMessage
	if err := dec.Unmarshal(raw, &hc); err != nil {
		return Claims{}, &Error{Kind: KindMalformed, Stage: StageClaims, Err: fmt.Errorf("hcert: %w", err)}
	}
	if c.RawCert, ok = hc[hcertEUDCCv1]; !ok {
		return Claims{}, fail(KindMalformed, StageClaims, "no eu_dcc_v1 (-260 → 1)")
	}
	return c, nil
}

// numericDate reads an RFC 8392 NumericDate, which may be an integer or a
// floating-point number of seconds.
func numericDate(m map[int64]cbor.RawMessage, key int64) (time.Time, error) {
	raw, ok := m[key]
	if !ok {
		return time.Time{}, nil
	}
	var v any
	if err := dec.Unmarshal(raw, &v); err != nil {
		return time.Time{}, &Error{Kind: KindMalformed, Stage: StageClaims, Err: fmt.Errorf("claim %d: %w", key, err)}
	}
	switch n := v.(type) {
	case int64:
		return time.Unix(n, 0).UTC(), nil
	case uint64:
		if n <= math.MaxInt64 {
			return time.Unix(int64(n), 0).UTC(), nil
		}
	case float64:
		if !math.IsNaN(n) && !math.IsInf(n, 0) && math.Abs(n) < 1e15 {
			sec, frac := math.Modf(n)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
		}
	}
	return time.Time{}, fail(KindMalformed, StageClaims, "claim %d is not a NumericDate", key)
}
