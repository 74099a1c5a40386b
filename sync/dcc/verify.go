package dcc

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"time"

	"github.com/veraison/go-cose"
)

// Verifier checks certificates against a trust list.
type Verifier struct {
	Trust  *TrustList
	Limits Limits // zero: DefaultLimits
	// CheckKeyUsage refuses a certificate whose signer's extended key usage
	// excludes its type (a test signed by a vaccination-only signer).
	CheckKeyUsage bool
	// Skew is how far in the future an issued-at may be before the
	// certificate counts as not yet valid: issuers' clocks drift.
	Skew time.Duration
}

// Result is a verified certificate. It holds personal data: callers show
// it for the verdict's seconds and keep nothing but a keyed hash of ID.
type Result struct {
	Claims Claims
	Cert   *Certificate
	Type   Type
	Signer *Signer
}

// Verify runs the whole pipeline on the scanned text at time now. Every
// failure is an *Error whose Kind maps to a reason code.
func (v *Verifier) Verify(text string, now time.Time) (*Result, error) {
	b, err := DecodeText(text, v.Limits)
	if err != nil {
		return nil, err
	}
	msg, err := ParseSign1(b)
	if err != nil {
		return nil, err
	}
	signer, err := VerifySignature(msg, v.Trust)
	if err != nil {
		return nil, err
	}
	claims, err := ParseClaims(msg.Payload())
	if err != nil {
		return nil, err
	}
	cert, err := DecodeCertificate(claims.RawCert)
	if err != nil {
		return nil, err
	}
	typ, err := cert.Type()
	if err != nil {
		return nil, err
	}
	if err := CheckTimes(claims, signer, now, v.Skew); err != nil {
		return nil, err
	}
	if v.CheckKeyUsage && !KeyUsageAllows(signer.Cert, typ) {
		return nil, fail(KindKeyUsage, StageKeyUsage, "signer may not sign %v certificates", typ)
	}
	return &Result{Claims: claims, Cert: cert, Type: typ, Signer: signer}, nil
}

// VerifySignature finds the signers with the message's key id and returns
// the first whose key verifies it. No kid, or no signer with it, is an
// unknown signer; candidates that all fail are a bad signature.
func VerifySignature(msg *Sign1, trust *TrustList) (*Signer, error) {
	if len(msg.Kid) == 0 {
		return nil, fail(KindUnknownSigner, StageSignature, "no key id in the COSE headers")
	}
	cands := trust.Candidates(msg.Kid)
	if len(cands) == 0 {
		return nil, fail(KindUnknownSigner, StageSignature, "no trusted signer with key id %x", msg.Kid)
	}
	if msg.Alg != cose.AlgorithmES256 && msg.Alg != cose.AlgorithmPS256 {
		return nil, fail(KindBadSignature, StageSignature, "unsupported algorithm %v", msg.Alg)
	}
	tbs, err := msg.toBeSigned()
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Stage: StageCOSE, Err: err}
	}
	var last error = errors.New("no candidate key matches the algorithm")
	for _, s := range cands {
		if !keyFits(msg.Alg, s) {
			continue
		}
		ver, err := cose.NewVerifier(msg.Alg, s.Cert.PublicKey)
		if err != nil {
			last = err
			continue
		}
		if err := ver.Verify(tbs, msg.msg.Signature); err != nil {
			last = err
			continue
		}
		return s, nil
	}
	return nil, &Error{Kind: KindBadSignature, Stage: StageSignature, Err: last}
}

func keyFits(alg cose.Algorithm, s *Signer) bool {
	switch s.Cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		return alg == cose.AlgorithmES256
	case *rsa.PublicKey:
		return alg == cose.AlgorithmPS256
	}
	return false
}

// CheckTimes refuses a certificate past its CWT expiry or issued in the
// future, and one signed outside its signer's validity.
func CheckTimes(c Claims, s *Signer, now time.Time, skew time.Duration) error {
	if c.Expires.IsZero() {
		return fail(KindMalformed, StageTime, "no expiry claim")
	}
	if now.After(c.Expires) {
		return fail(KindExpired, StageTime, "expired at %s", c.Expires.Format(time.RFC3339))
	}
	if !c.IssuedAt.IsZero() && c.IssuedAt.After(now.Add(skew)) {
		return fail(KindNotYetValid, StageTime, "issued in the future (%s)", c.IssuedAt.Format(time.RFC3339))
	}
	if s != nil && s.Cert != nil {
		if now.After(s.Cert.NotAfter) {
			return fail(KindExpired, StageTime, "signer certificate expired at %s", s.Cert.NotAfter.Format(time.RFC3339))
		}
		if now.Before(s.Cert.NotBefore) {
			return fail(KindNotYetValid, StageTime, "signer certificate valid from %s", s.Cert.NotBefore.Format(time.RFC3339))
		}
	}
	return nil
}
