package dcc_test

import (
	"bytes"
	"compress/zlib"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/reason"
)

var (
	t0       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dscFrom  = t0.AddDate(-1, 0, 0)
	dscUntil = t0.AddDate(1, 0, 0)
	vaccOID  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}
	testOID  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}
)

func signer(t testing.TB, alg cose.Algorithm) *dcctest.Signer {
	t.Helper()
	s, err := dcctest.NewSigner(alg, "DE", dscFrom, dscUntil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func vaccClaims() dcctest.Claims {
	return dcctest.Claims{
		Issuer: "DE", IssuedAt: t0.Add(-time.Hour), Expires: t0.AddDate(0, 6, 0),
		Cert: dcctest.Vaccination("Muster", "Erika", "1964-08-12", "URN:UVCI:01:DE:TEST1", 2, 2, t0.AddDate(0, -1, 0)),
	}
}

func issue(t testing.TB, s *dcctest.Signer, c dcctest.Claims, o dcctest.Options) string {
	t.Helper()
	text, err := dcctest.Issue(s, c, o)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func trustOf(t testing.TB, signers ...*dcctest.Signer) *dcc.TrustList {
	tl := dcc.NewTrustList()
	for _, s := range signers {
		if _, err := tl.AddDER(s.DER, "DE"); err != nil {
			t.Fatal(err)
		}
	}
	return tl
}

func TestVerify(t *testing.T) {
	es, ps := signer(t, cose.AlgorithmES256), signer(t, cose.AlgorithmPS256)
	other, err := dcctest.NewSigner(cose.AlgorithmES256, "FR", dscFrom, dscUntil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	expired := vaccClaims()
	expired.Expires = t0.Add(-time.Minute)
	future := vaccClaims()
	future.IssuedAt = t0.Add(time.Hour)
	tests := []struct {
		name  string
		text  string
		trust *dcc.TrustList
		want  reason.Code // "" for verified
	}{
		{"ES256", issue(t, es, vaccClaims(), dcctest.Options{}), trustOf(t, es), ""},
		{"PS256", issue(t, ps, vaccClaims(), dcctest.Options{}), trustOf(t, ps), ""},
		{"inside CWT tag 61", issue(t, es, vaccClaims(), dcctest.Options{CWTTag: true}), trustOf(t, es), ""},
		{"untagged", issue(t, es, vaccClaims(), dcctest.Options{Untagged: true}), trustOf(t, es), ""},
		{"kid only unprotected", issue(t, es, vaccClaims(), dcctest.Options{KidUnprotected: true}), trustOf(t, es), ""},
		{"alg only unprotected", issue(t, es, vaccClaims(), dcctest.Options{AlgUnprotected: true}), trustOf(t, es), ""},
		{"protected kid wins", issue(t, es, vaccClaims(), dcctest.Options{WrongKid: other.Kid()}), trustOf(t, es, other), ""},
		{"float NumericDate", issue(t, es, vaccClaims(), dcctest.Options{FloatTimes: true}), trustOf(t, es), ""},
		{"forged signature", issue(t, es, vaccClaims(), dcctest.Options{Corrupt: true}), trustOf(t, es), reason.DCCBadSignature},
		{"unknown signer", issue(t, es, vaccClaims(), dcctest.Options{}), trustOf(t, other), reason.DCCUnknownSigner},
		{"empty trust list", issue(t, es, vaccClaims(), dcctest.Options{}), dcc.NewTrustList(), reason.DCCUnknownSigner},
		{"expired", issue(t, es, expired, dcctest.Options{}), trustOf(t, es), reason.DCCExpired},
		{"issued in the future", issue(t, es, future, dcctest.Options{}), trustOf(t, es), reason.DCCNotYetValid},
		{"no prefix", strings.TrimPrefix(issue(t, es, vaccClaims(), dcctest.Options{}), "HC1:"), trustOf(t, es), reason.Malformed},
		{"bad base45", "HC1:abc", trustOf(t, es), reason.Malformed},
		{"too long", "HC1:" + strings.Repeat("0", 5000), trustOf(t, es), reason.TooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := dcc.Verifier{Trust: tt.trust}
			res, err := v.Verify(tt.text, t0)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res.Type != dcc.TypeVaccination || res.Cert.ID() != "URN:UVCI:01:DE:TEST1" || res.Cert.Name.Given != "Erika" || res.Claims.Issuer != "DE" {
					t.Errorf("result %+v", res)
				}
				return
			}
			var e *dcc.Error
			if err == nil {
				t.Fatalf("verified, want %s", tt.want)
			}
			if !asError(err, &e) || e.Reason() != tt.want {
				t.Errorf("err %v, want reason %s", err, tt.want)
			}
		})
	}
}

func asError(err error, e **dcc.Error) bool {
	x, ok := err.(*dcc.Error)
	*e = x
	return ok
}

// Key ids are 8 bytes and collide: of two signers sharing a kid, the one
// whose key verifies wins whichever order they were added in.
func TestKidCollisionTriesOnlyCandidates(t *testing.T) {
	es := signer(t, cose.AlgorithmES256)
	impostor, err := dcctest.NewSigner(cose.AlgorithmES256, "XX", dscFrom, dscUntil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cImp, _ := dcc.NewTrustList().AddDER(impostor.DER, "XX")
	cGood, _ := dcc.NewTrustList().AddDER(es.DER, "DE")
	cImp.Kid = es.Kid() // collide
	text := issue(t, es, vaccClaims(), dcctest.Options{})
	for _, order := range [][]*dcc.Signer{{cImp, cGood}, {cGood, cImp}} {
		v := dcc.Verifier{Trust: dcc.NewTrustList(order...)}
		res, err := v.Verify(text, t0)
		if err != nil || res.Signer != cGood {
			t.Errorf("order %v: %v, signer %v", order, err, res)
		}
	}
	// A right key under another kid is not tried: never every key.
	cGood2, _ := dcc.NewTrustList().AddDER(es.DER, "DE")
	cGood2.Kid = []byte("otherkid")
	v := dcc.Verifier{Trust: dcc.NewTrustList(cImp, cGood2)}
	cImp.Kid = es.Kid()
	if _, err := v.Verify(text, t0); dcc.KindOf(err) != dcc.KindBadSignature {
		t.Errorf("only the colliding wrong key is a candidate: got %v, want a bad signature", err)
	}
}

func TestKeyUsage(t *testing.T) {
	vaccOnly, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", dscFrom, dscUntil, []asn1.ObjectIdentifier{vaccOID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	testClaims := vaccClaims()
	testClaims.Cert = dcctest.Test("Muster", "Erika", "1964-08-12", "URN:UVCI:01:DE:T2", true, t0.Add(-time.Hour), true)
	tests := []struct {
		name   string
		claims dcctest.Claims
		check  bool
		want   dcc.Kind
	}{
		{"vaccination by vaccination signer", vaccClaims(), true, 0},
		{"test by vaccination signer", testClaims, true, dcc.KindKeyUsage},
		{"test by vaccination signer, check off", testClaims, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := dcc.Verifier{Trust: trustOf(t, vaccOnly), CheckKeyUsage: tt.check}
			_, err := v.Verify(issue(t, vaccOnly, tt.claims, dcctest.Options{}), t0)
			if dcc.KindOf(err) != tt.want {
				t.Errorf("err %v, want kind %d", err, tt.want)
			}
		})
	}
	if c := signer(t, cose.AlgorithmES256).Cert; !dcc.KeyUsageAllows(c, dcc.TypeTest) {
		t.Error("a signer without extended key usage may sign every type")
	}
	testOnly, _ := dcctest.NewSigner(cose.AlgorithmES256, "DE", dscFrom, dscUntil, []asn1.ObjectIdentifier{testOID}, nil)
	if !dcc.KeyUsageAllows(testOnly.Cert, dcc.TypeTest) || dcc.KeyUsageAllows(testOnly.Cert, dcc.TypeRecovery) {
		t.Error("test-only signer")
	}
}

// A zlib bomb costs at most the inflated limit: it is refused, not read.
func TestInflateBounded(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	lim := dcc.DefaultLimits()
	if z.Len() > lim.MaxCompressed {
		t.Fatalf("bomb of %d bytes does not fit the compressed limit; shrink it", z.Len())
	}
	if _, err := dcc.Inflate(z.Bytes(), lim); dcc.KindOf(err) != dcc.KindTooLarge {
		t.Errorf("1 MiB bomb: %v, want too large", err)
	}
	text := dcc.Prefix + pass.EncodeBase45(z.Bytes())
	if _, err := (&dcc.Verifier{}).Verify(text, t0); dcc.KindOf(err) != dcc.KindTooLarge {
		t.Errorf("via Verify: %v", err)
	}
	if _, err := dcc.Inflate(make([]byte, lim.MaxCompressed+1), lim); dcc.KindOf(err) != dcc.KindTooLarge {
		t.Errorf("oversize compressed input: %v", err)
	}
	if _, err := dcc.Inflate(z.Bytes()[:z.Len()/2], dcc.Limits{MaxInflated: 2 << 20}); dcc.KindOf(err) != dcc.KindMalformed {
		t.Errorf("truncated stream: %v", err)
	}
}

func TestTrustListJSON(t *testing.T) {
	es := signer(t, cose.AlgorithmES256)
	good := `[{"country":"DE","kid":"` + b64(es.Kid()) + `","rawData":"` + b64(es.DER) + `"}]`
	tl, err := dcc.ReadTrustList(strings.NewReader(good))
	if err != nil || tl.Len() != 1 || len(tl.Candidates(es.Kid())) != 1 {
		t.Fatalf("ReadTrustList: %v", err)
	}
	bad := []string{
		`[{"country":"DE","kid":"AAAAAAAAAAA=","rawData":"` + b64(es.DER) + `"}]`,
		`[{"country":"DE","rawData":"bm90IGEgY2VydA=="}]`,
		`{"not":"a list"}`,
	}
	for _, b := range bad {
		if _, err := dcc.ReadTrustList(strings.NewReader(b)); err == nil {
			t.Errorf("accepted %s", b)
		}
	}
}
