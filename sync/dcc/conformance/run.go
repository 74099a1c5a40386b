package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// Check names, as the upstream format spells its expected results.
const (
	Verify          = "EXPECTEDVERIFY"
	ExpirationCheck = "EXPECTEDEXPIRATIONCHECK"
	Unprefix        = "EXPECTEDUNPREFIX"
	B45Decode       = "EXPECTEDB45DECODE"
	Compression     = "EXPECTEDCOMPRESSION"
	Decode          = "EXPECTEDDECODE"
	PictureDecode   = "EXPECTEDPICTUREDECODE"
	KeyUsage        = "EXPECTEDKEYUSAGE"
)

// Checks are the expected results this runner covers.
var Checks = []string{Verify, ExpirationCheck, Unprefix, B45Decode, Compression, Decode, PictureDecode, KeyUsage}

// PictureDecoder reads the payloads of the codes in a PNG. Injected so this
// package needs no image code (the command passes scanner/qrimage).
type PictureDecoder func(ctx context.Context, png []byte) ([]string, error)

// Computed is what our code found for one case: a check is absent when the
// case lacks what it needs (no picture, no certificate of a known type).
type Computed map[string]bool

// Run computes every check the case's inputs allow. Each stage starts from
// the case's own intermediate form when it has one (so a broken BASE45
// does not hide a good COSE) and from our previous stage's output when not.
func Run(ctx context.Context, c *Case, pic PictureDecoder) Computed {
	out := Computed{}
	lim := dcc.DefaultLimits()

	// Unprefix.
	unpref, err := dcc.Unprefix(c.Prefix, lim)
	out[Unprefix] = err == nil && (c.Base45 == "" || unpref == c.Base45)
	b45 := c.Base45
	if b45 == "" && err == nil {
		b45 = unpref
	}

	// Base45.
	compressed, cerr := hexOrNil(c.Compressed)
	if b45 != "" {
		z, err := dcc.DecodeBase45(b45, lim)
		out[B45Decode] = err == nil && (c.Compressed == "" || (cerr == nil && bytes.Equal(z, compressed)))
		if c.Compressed == "" && err == nil {
			compressed = z
		}
	}

	// Zlib.
	coseBytes, coseErr := hexOrNil(c.COSE)
	if len(compressed) > 0 && cerr == nil {
		inflated, err := dcc.Inflate(compressed, lim)
		out[Compression] = err == nil && (c.COSE == "" || (coseErr == nil && bytes.Equal(inflated, coseBytes)))
		if c.COSE == "" && err == nil {
			coseBytes = inflated
		}
	}

	// COSE, claims, certificate.
	var msg *dcc.Sign1
	var claims dcc.Claims
	var typ dcc.Type
	haveType := false
	if len(coseBytes) > 0 && coseErr == nil {
		m, err := dcc.ParseSign1(coseBytes)
		ok := err == nil
		if ok {
			msg = m
			claims, err = dcc.ParseClaims(m.Payload())
			ok = err == nil
		}
		if ok {
			cert, err := dcc.DecodeCertificate(claims.RawCert)
			ok = err == nil
			if ok {
				if t, err := cert.Type(); err == nil {
					typ, haveType = t, true
				}
			}
		}
		if ok && len(c.JSON) > 0 {
			ok = sameAsJSON(claims.RawCert, c.JSON)
		}
		out[Decode] = ok
	}

	// Signature, times, key usage against the one trusted signer.
	trust := dcc.NewTrustList()
	var signer *dcc.Signer
	if der, err := base64.StdEncoding.DecodeString(c.Context.Certificate); err == nil && len(der) > 0 {
		signer, _ = trust.AddDER(der, "")
	}
	if msg != nil {
		_, err := dcc.VerifySignature(msg, trust)
		out[Verify] = err == nil
		if clock, err := parseClock(c.Context.ValidationClock); err == nil {
			out[ExpirationCheck] = dcc.CheckTimes(claims, signer, clock, 0) == nil
		}
		if signer != nil && haveType {
			out[KeyUsage] = dcc.KeyUsageAllows(signer.Cert, typ)
		}
	} else if c.COSE != "" || c.Prefix != "" {
		out[Verify] = false
	}

	// Picture.
	if c.Picture != "" && pic != nil {
		png, err := base64.StdEncoding.DecodeString(c.Picture)
		found := false
		if err == nil {
			payloads, err := pic(ctx, png)
			if err == nil {
				for _, p := range payloads {
					found = found || p == c.Prefix
				}
			}
		}
		out[PictureDecode] = found
	}
	return out
}

func hexOrNil(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return hex.DecodeString(s)
}

// parseClock reads VALIDATIONCLOCK, which issuers write with or without
// fractional seconds and offset.
func parseClock(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("unreadable VALIDATIONCLOCK " + s)
}

// sameAsJSON compares the certificate CBOR with the case's JSON form as
// generic values (numbers as float64), which is how the upstream format
// defines a successful decode.
func sameAsJSON(raw []byte, want json.RawMessage) bool {
	var got any
	if err := dcc.DecodeGeneric(raw, &got); err != nil {
		return false
	}
	gotJSON, err := json.Marshal(jsonable(got))
	if err != nil {
		return false
	}
	var a, b any
	if json.Unmarshal(gotJSON, &a) != nil || json.Unmarshal(want, &b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// jsonable turns CBOR's map[any]any into JSON's map[string]any.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				ks = "\x00nonstring"
			}
			m[ks] = jsonable(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = jsonable(x[i])
		}
		return x
	case string:
		return strings.Clone(x)
	}
	return v
}
