package kiosk

import (
	"time"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// KindDCC is an EU Digital COVID Certificate (an "HC1:" code).
const KindDCC PayloadKind = "dcc"

// DCCSettings turn on DCC checks: the verifier with its trust list and
// the venue's rules. Nil Settings.DCC: an HC1 code is an unknown format.
type DCCSettings struct {
	Verifier dcc.Verifier
	Rules    dcc.Rules
	// Trust, when set, is the trust list to verify against instead of
	// Verifier.Trust: the hub's once installed, else the local one
	// (DCCTrust's precedence).
	Trust *DCCTrust
}

// isDCC tells whether this kiosk routes payload to the DCC path.
func (c *Checker) isDCC(payload string) bool {
	return c.set.DCC != nil && dcc.HasPrefix(payload)
}

// verifyDCC verifies a certificate and applies the venue's rules. The
// visitor is keyed by the certificate identifier (ci) hashed with the
// deployment's subject key, domain-separated from IINs by a "dcc:" prefix
// no IIN has, so presence and re-entry work as for IINs while nothing of
// the certificate itself is kept. The result's end time is when the rule
// that admitted it stops counting; the holder is for the screen only.
func (c *Checker) verifyDCC(payload string, now time.Time, h wire.SubjectHasher) (wire.SubjectKey, time.Time, *Holder, *pass.Error) {
	v := c.set.DCC.Verifier
	if c.set.DCC.Trust != nil {
		v.Trust = c.set.DCC.Trust.List()
	}
	res, err := v.Verify(payload, now)
	if err != nil {
		return wire.SubjectKey{}, time.Time{}, nil, dccError(err)
	}
	d, err := c.set.DCC.Rules.Decide(res, now)
	if err != nil {
		return wire.SubjectKey{}, time.Time{}, nil, dccError(err)
	}
	ci := res.Cert.ID()
	if ci == "" {
		return wire.SubjectKey{}, time.Time{}, nil, &pass.Error{Reason: reason.Malformed, Detail: "certificate has no identifier"}
	}
	return h.IIN("dcc:" + ci), d.Until, holderOf(res.Cert), nil
}

// dccError is a DCC failure as the checker's NOT VERIFIED error. The detail
// is this package's own words (which rule, which check), never input.
func dccError(err error) *pass.Error {
	pe := &pass.Error{Reason: reason.Malformed}
	if e, ok := err.(*dcc.Error); ok {
		pe.Reason = e.Reason()
		if e.Kind == dcc.KindRuleFailed || e.Stage == dcc.StageRules {
			pe.Detail = e.Err.Error()
		}
	}
	return pe
}
