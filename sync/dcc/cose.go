package dcc

import (
	"bytes"
	"fmt"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// CBOR tags that may wrap the COSE_Sign1 array: CWT (61, RFC 8392) and
// COSE_Sign1 (18, RFC 9052). Issuers send 18, 61(18(...)) or no tag.
const (
	tagCWT   = 61
	tagSign1 = 18
)

// dec is the strict decoder for everything inside a certificate: no
// duplicate map keys, bounded nesting and counts, so a hostile payload
// cannot make the decoder allocate much more than its own size.
var dec = mustDecMode()

func mustDecMode() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  16,
		MaxArrayElements: 1024,
		MaxMapPairs:      1024,
		IntDec:           cbor.IntDecConvertSigned,
	}.DecMode()
	if err != nil {
		panic(err) // static options: a programming error
	}
	return m
}

// Sign1 is a parsed COSE_Sign1 with the header values a DCC verifier needs.
type Sign1 struct {
	msg cose.UntaggedSign1Message
	Alg cose.Algorithm // from the protected header, else the unprotected one
	Kid []byte         // likewise: the protected one wins
}

// Payload is the signed CWT claims bytes.
func (s *Sign1) Payload() []byte { return s.msg.Payload }

// ParseSign1 peels the optional CWT and COSE_Sign1 tags and parses the
// message with go-cose.
func ParseSign1(b []byte) (*Sign1, error) {
	body := b
	for range 2 {
		if len(body) == 0 || body[0]>>5 != 6 { // major type 6: a tag
			break
		}
		var t cbor.RawTag
		if err := dec.Unmarshal(body, &t); err != nil {
			return nil, &Error{Kind: KindMalformed, Stage: StageCOSE, Err: err}
		}
		if t.Number != tagCWT && t.Number != tagSign1 {
			return nil, fail(KindMalformed, StageCOSE, "unexpected CBOR tag %d", t.Number)
		}
		body = t.Content
	}
	s := &Sign1{}
	if err := s.msg.UnmarshalCBOR(body); err != nil {
		return nil, &Error{Kind: KindMalformed, Stage: StageCOSE, Err: err}
	}
	if s.msg.Payload == nil {
		return nil, fail(KindMalformed, StageCOSE, "COSE_Sign1 without payload")
	}
	h := s.msg.Headers
	if alg, err := h.Protected.Algorithm(); err == nil {
		s.Alg = alg
	} else if alg, ok := algFrom(h.Unprotected[cose.HeaderLabelAlgorithm]); ok {
		s.Alg = alg
	}
	if kid, ok := h.Protected[cose.HeaderLabelKeyID].([]byte); ok {
		s.Kid = kid
	} else if kid, ok := h.Unprotected[cose.HeaderLabelKeyID].([]byte); ok {
		s.Kid = kid
	}
	return s, nil
}

func algFrom(v any) (cose.Algorithm, bool) {
	switch a := v.(type) {
	case cose.Algorithm:
		return a, true
	case int64:
		return cose.Algorithm(a), true
	case int:
		return cose.Algorithm(a), true
	}
	return 0, false
}

// toBeSigned is the RFC 9052 Sig_structure over the protected header bytes
// exactly as received. Built here rather than by go-cose's Verify because
// that refuses a message whose alg sits only in the unprotected header,
// which some issuers do.
func (s *Sign1) toBeSigned() ([]byte, error) {
	var inner []byte
	if len(s.msg.Headers.RawProtected) > 0 {
		if err := dec.Unmarshal(s.msg.Headers.RawProtected, &inner); err != nil {
			return nil, fmt.Errorf("protected header: %w", err)
		}
	}
	prot, err := cbor.Marshal(inner) // minimal-length bstr, as RFC 9052 encodes it
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte(0x84) // array(4)
	ctx, _ := cbor.Marshal("Signature1")
	buf.Write(ctx)
	buf.Write(prot) // already a bstr-wrapped map
	buf.WriteByte(0x40)
	p, err := cbor.Marshal(s.msg.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	buf.Write(p)
	return buf.Bytes(), nil
}
