package pass

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// The docs/formats.md vector: key seed 32 × 0x01, subject 16 × 0xAB,
// window 2026-01-01 .. 2036-01-01 UTC, issued at the start.
const docVector = "DC1:%60.ZENDJRVLRVLRVLRVLRVLRVLRVL6ULU$AF20U$AY20-Q4*30UU554O1$DQZPVK9A*9+*P/-A85A4LOU$CF5IZY48NLYH0DF8*3BZPJ3 3543H2NGT5Y22LP5F6V10DOMSVP4UTPMFWWOIB0"

// Intermediate values of the docs vector, shown in docs/formats.md.
const (
	docPublicKey   = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
	docKeyID       = "34750f98"
	docSignedBytes = "0134750f98abababababababababababababababab6955b9006955b9007c245f00"
	docDomain      = "646f6f72636865636b207061737320763100"
)

func vectorFrom() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
func vectorTo() time.Time   { return time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC) }

func testKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func issuerKey() ed25519.PrivateKey { return testKey(0x01) }

func idOf(k ed25519.PrivateKey) wire.KeyID { return wire.KeyIDOf(k.Public().(ed25519.PublicKey)) }

func testSubject() wire.SubjectKey { return wire.SubjectKey(bytes.Repeat([]byte{0xAB}, 16)) }

// testTrust trusts issuerKey and one other issuer, so a lookup by id is
// not trivially "the only key".
func testTrust() wire.TrustList {
	t := wire.TrustList{}
	for _, k := range []ed25519.PrivateKey{issuerKey(), testKey(0x03)} {
		t[idOf(k)] = k.Public().(ed25519.PublicKey)
	}
	return t
}

func samplePass() Pass {
	return Pass{Issuer: idOf(issuerKey()), Subject: testSubject(), IssuedAt: vectorFrom(), NotBefore: vectorFrom(), ExpiresAt: vectorTo()}
}

func mustEncode(t testing.TB, p Pass, key ed25519.PrivateKey) string {
	t.Helper()
	s, err := Encode(p, key)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return s
}

// signBody builds the sample pass's body, lets edit change it, then signs
// it with key, bypassing Encode's checks: it makes the well-signed but
// ill-formed passes a buggy or hostile issuer could produce.
func signBody(t testing.TB, key ed25519.PrivateKey, edit func(body []byte)) string {
	t.Helper()
	body, err := decodeBase45(strings.TrimPrefix(mustEncode(t, samplePass(), issuerKey()), Prefix))
	if err != nil {
		t.Fatal(err)
	}
	edit(body)
	copy(body[bodySigned:], ed25519.Sign(key, append([]byte("doorcheck pass v1\x00"), body[:bodySigned]...)))
	return Prefix + encodeBase45(body)
}

func putTime(body []byte, off int, tm time.Time) {
	binary.BigEndian.PutUint32(body[off:], uint32(tm.Unix()))
}

func TestEncodeVector(t *testing.T) {
	got := mustEncode(t, samplePass(), issuerKey())
	if got != docVector {
		t.Errorf("Encode = %s\nwant the docs vector %s", got, docVector)
	}
	if len(got) != PayloadLength || PayloadLength != 150 {
		t.Errorf("payload is %d chars, PayloadLength %d, want 150", len(got), PayloadLength)
	}
	for _, c := range got {
		if !strings.ContainsRune(base45Alphabet, c) && !strings.ContainsRune(Prefix, c) {
			t.Fatalf("payload has %q, outside the QR alphanumeric set", c)
		}
	}
	// The layout the docs give, byte by byte.
	body, _ := decodeBase45(got[len(Prefix):])
	id := idOf(issuerKey())
	pub := issuerKey().Public().(ed25519.PublicKey)
	switch {
	case hex.EncodeToString(pub) != docPublicKey, id.String() != docKeyID:
		t.Errorf("public key %x, id %s", pub, id)
	case hex.EncodeToString(body[:bodySigned]) != docSignedBytes:
		t.Errorf("signed bytes %x", body[:bodySigned])
	case hex.EncodeToString([]byte(signDomain)) != docDomain:
		t.Errorf("domain %x", signDomain)
	case body[0] != 1:
		t.Error("version byte")
	case !bytes.Equal(body[1:5], id[:]):
		t.Error("issuer id at 1..4")
	case !bytes.Equal(body[5:21], bytes.Repeat([]byte{0xAB}, 16)):
		t.Error("subject at 5..20")
	case binary.BigEndian.Uint32(body[21:]) != 1767225600, binary.BigEndian.Uint32(body[25:]) != 1767225600:
		t.Error("issued-at, not-before at 21, 25")
	case binary.BigEndian.Uint32(body[29:]) != 2082758400:
		t.Error("expires-at at 29")
	case !ed25519.Verify(issuerKey().Public().(ed25519.PublicKey), append([]byte("doorcheck pass v1\x00"), body[:33]...), body[33:]):
		t.Error("signature at 33..96 over the domain string and bytes 0..32")
	}
}

// TestDocsCarryVectors keeps the documentation honest: every formats page
// that shows the pass vector shows this one, and the IIN table matches
// ParseIIN.
func TestDocsCarryVectors(t *testing.T) {
	found := false
	for _, name := range []string{"../../docs/formats.md"} {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		if !strings.Contains(doc, "DC1:") {
			continue
		}
		if !strings.Contains(doc, docVector) {
			t.Errorf("%s shows a pass vector other than the one Encode produces", name)
			continue
		}
		found = true
		// The worked example's intermediate values are on the page too.
		for _, v := range []string{docPublicKey, docKeyID, docSignedBytes, docDomain, "991399000009"} {
			if !strings.Contains(doc, v) {
				t.Errorf("%s lacks %s", name, v)
			}
		}
		for _, v := range []struct {
			iin, shown string // shown: what the page must contain
			r          reason.Code
		}{
			{"900101400003", "900101400003", ""},
			{"900101400404", "900101400404", ""},
			{"900101400004", "900101400004", reason.BadChecksum},
			{"900101400430", "90010140043", reason.NeverIssued}, // any last digit
		} {
			if !strings.Contains(doc, v.shown) {
				t.Errorf("%s lacks IIN vector %s", name, v.shown)
			}
			if _, err := ParseIIN(v.iin); reasonOf(err) != v.r {
				t.Errorf("ParseIIN(%s) = %v, docs say %q", v.iin, err, v.r)
			}
		}
	}
	if !found {
		t.Error("no docs page shows the pass vector")
	}
}

func reasonOf(err error) reason.Code {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Reason
	}
	if err != nil {
		return "not an *Error"
	}
	return ""
}

func TestVerify(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())

	stranger := samplePass()
	stranger.Issuer = idOf(testKey(2))
	strangerPass := mustEncode(t, stranger, testKey(2))

	body, _ := decodeBase45(good[len(Prefix):])
	flipSig := bytes.Clone(body)
	flipSig[bodySigned+10] ^= 0x20
	flipSubject := bytes.Clone(body)
	flipSubject[offSubject] ^= 0x01
	flipIssued := bytes.Clone(body)
	flipIssued[offIssuedAt+3] ^= 0x01 // issued-at is signed too, though no check reads it

	// Signed by a trusted key, but ill-formed.
	version2 := signBody(t, issuerKey(), func(b []byte) { b[0] = 2 })
	reversed := signBody(t, issuerKey(), func(b []byte) {
		putTime(b, offNotBefore, vectorTo())
		putTime(b, offExpiresAt, vectorFrom())
	})
	empty := signBody(t, issuerKey(), func(b []byte) { putTime(b, offExpiresAt, vectorFrom()) })
	zeroTime := signBody(t, issuerKey(), func(b []byte) { putTime(b, offIssuedAt, time.Unix(0, 0)) })
	// Names the trusted issuer but is signed by someone else.
	impostor := signBody(t, testKey(2), func([]byte) {})
	// Names the second trusted issuer but is signed by the first.
	crossed := signBody(t, issuerKey(), func(b []byte) { id := idOf(testKey(3)); copy(b[offIssuer:], id[:]) })

	now := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		payload string
		now     time.Time
		reason  reason.Code
	}{
		{"valid", good, now, ""},
		{"valid with trailing CRLF", good + "\r\n", now, ""},
		{"valid with surrounding spaces and tab", "  \t" + good + " ", now, ""},
		{"valid on its first second", good, vectorFrom(), ""},

		{"no prefix", "HELLO", now, reason.UnknownFormat},
		{"empty", "", now, reason.UnknownFormat},
		{"url", "https://example.com/pass", now, reason.UnknownFormat},
		{"an IIN", "900101400003", now, reason.UnknownFormat},
		{"lowercase", strings.ToLower(good), now, reason.UnknownFormat},
		{"other prefix", "DC2:" + good[len(Prefix):], now, reason.UnknownFormat},
		{"NBSP before", "\u00a0" + good, now, reason.UnknownFormat},

		{"prefix only", Prefix, now, reason.Malformed},
		{"truncated by one group", good[:len(good)-3], now, reason.Malformed},
		{"truncated by one char", good[:len(good)-1], now, reason.Malformed},
		{"one group too many", good + "000", now, reason.Malformed},
		{"lowercase body", Prefix + strings.ToLower(good[len(Prefix):]), now, reason.Malformed},
		{"char outside the alphabet", good[:20] + "_" + good[21:], now, reason.Malformed},
		{"group over 65535", good[:len(Prefix)] + "GGW" + good[len(Prefix)+3:], now, reason.Malformed},
		{"CR inside", good[:40] + "\r" + good[41:], now, reason.Malformed},
		{"other format version", version2, now, reason.Malformed},
		{"reversed window", reversed, now, reason.Malformed},
		{"empty window", empty, now, reason.Malformed},
		{"issued at the epoch", zeroTime, now, reason.Malformed},

		{"unknown issuer", strangerPass, now, reason.UnknownIssuer},
		{"unknown issuer, long expired", strangerPass, vectorTo().Add(time.Hour), reason.UnknownIssuer},

		{"signature bit flipped", Prefix + encodeBase45(flipSig), now, reason.BadSignature},
		{"subject bit flipped", Prefix + encodeBase45(flipSubject), now, reason.BadSignature},
		{"issued-at bit flipped", Prefix + encodeBase45(flipIssued), now, reason.BadSignature},
		{"signed by an impostor", impostor, now, reason.BadSignature},
		{"signed by another trusted issuer", crossed, now, reason.BadSignature},
		{"bad signature and expired", Prefix + encodeBase45(flipSig), vectorTo().Add(time.Hour), reason.BadSignature},

		{"expired", good, vectorTo().Add(48 * time.Hour), reason.Expired},
		{"not yet valid", good, vectorFrom().Add(-48 * time.Hour), reason.NotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Verify(tt.payload, testTrust(), tt.now, DefaultSkew)
			if got := reasonOf(err); got != tt.reason {
				t.Fatalf("Verify error = %v, want reason %q", err, tt.reason)
			}
			if err != nil {
				if p != (Pass{}) {
					t.Errorf("Verify returned %+v with an error", p)
				}
				return
			}
			if p.Subject != testSubject() || p.Issuer != idOf(issuerKey()) ||
				!p.NotBefore.Equal(vectorFrom()) || !p.ExpiresAt.Equal(vectorTo()) || !p.IssuedAt.Equal(vectorFrom()) {
				t.Fatalf("Verify = %+v", p)
			}
		})
	}
}

// TestVerifyWindowEdges pins the window arithmetic to the nanosecond:
// valid while NotBefore <= now+skew and now-skew < ExpiresAt.
func TestVerifyWindowEdges(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	p := samplePass()
	p.IssuedAt, p.NotBefore, p.ExpiresAt = start.Add(-time.Minute), start, end
	payload := mustEncode(t, p, issuerKey())

	const ns = time.Nanosecond
	tests := []struct {
		name string
		now  time.Time
		skew time.Duration
		want reason.Code
	}{
		{"start minus skew exactly", start.Add(-DefaultSkew), DefaultSkew, ""},
		{"start minus skew minus 1ns", start.Add(-DefaultSkew - ns), DefaultSkew, reason.NotYetValid},
		{"end plus skew minus 1ns", end.Add(DefaultSkew - ns), DefaultSkew, ""},
		{"end plus skew exactly", end.Add(DefaultSkew), DefaultSkew, reason.Expired},
		{"no skew: start exactly", start, 0, ""},
		{"no skew: start minus 1ns", start.Add(-ns), 0, reason.NotYetValid},
		{"no skew: end minus 1ns", end.Add(-ns), 0, ""},
		{"no skew: end exactly", end, 0, reason.Expired},
		{"negative skew counts as zero, start", start, -time.Hour, ""},
		{"negative skew counts as zero, end", end, -time.Hour, reason.Expired},
		{"huge skew", start.Add(-24 * time.Hour), 25 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(payload, testTrust(), tt.now, tt.skew)
			if got := reasonOf(err); got != tt.want {
				t.Fatalf("Verify at %s skew %s = %v, want %q", tt.now.Format(time.RFC3339Nano), tt.skew, err, tt.want)
			}
		})
	}
}

// A one-hour movement permit is nothing special: a pass whose window is
// one hour. Issued at 09:55 for 10:00..11:00.
func TestOneHourPermit(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	permit := Pass{
		Issuer:    idOf(issuerKey()),
		Subject:   wire.SubjectKey(bytes.Repeat([]byte{0x42}, 16)),
		IssuedAt:  start.Add(-5 * time.Minute),
		NotBefore: start,
		ExpiresAt: start.Add(time.Hour),
	}
	payload := mustEncode(t, permit, issuerKey())
	for _, tt := range []struct {
		at   time.Duration // since start
		want reason.Code
	}{
		{-5 * time.Minute, reason.NotYetValid}, // shown as soon as issued: 5 minutes early
		{-time.Minute, ""},                     // within the skew
		{0, ""},
		{30 * time.Minute, ""},
		{time.Hour, ""}, // within the skew
		{time.Hour + time.Minute, reason.Expired},
		{3 * time.Hour, reason.Expired},
	} {
		got, err := Verify(payload, testTrust(), start.Add(tt.at), DefaultSkew)
		if reasonOf(err) != tt.want {
			t.Errorf("at start%+v: %v, want %q", tt.at, err, tt.want)
		}
		if err == nil && (got.Subject != permit.Subject || got.ExpiresAt.Sub(got.NotBefore) != time.Hour) {
			t.Errorf("at start%+v: %+v", tt.at, got)
		}
	}
}

func TestExpiredAgoAndValidIn(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())
	tests := []struct {
		now        time.Time
		want       reason.Code
		expiredAgo time.Duration
		validIn    time.Duration
	}{
		{vectorTo().Add(3 * time.Hour), reason.Expired, 3 * time.Hour, 0},
		{vectorTo().Add(DefaultSkew), reason.Expired, DefaultSkew, 0}, // at the edge: ended a skew ago
		{vectorFrom().Add(-2 * time.Hour), reason.NotYetValid, 0, 2 * time.Hour},
		{vectorFrom().Add(-DefaultSkew - time.Second), reason.NotYetValid, 0, DefaultSkew + time.Second},
	}
	for _, tt := range tests {
		_, err := Verify(good, testTrust(), tt.now, DefaultSkew)
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason != tt.want || pe.ExpiredAgo != tt.expiredAgo || pe.ValidIn != tt.validIn {
			t.Errorf("at %s: %v (%+v)", tt.now, err, pe)
		}
	}
}

// Every single-bit change to a pass body is caught; a change to the
// subject or the signature is always bad_signature.
func TestEveryBitFlip(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())
	body, _ := decodeBase45(good[len(Prefix):])
	now := vectorFrom().Add(time.Hour)
	for i := range len(body) * 8 {
		b := bytes.Clone(body)
		b[i/8] ^= 1 << (i % 8)
		_, err := Verify(Prefix+encodeBase45(b), testTrust(), now, DefaultSkew)
		r := reasonOf(err)
		switch off := i / 8; {
		case r == "":
			t.Fatalf("flipping bit %d still verifies", i)
		case (off >= offSubject && off < offIssuedAt || off >= bodySigned) && r != reason.BadSignature:
			t.Errorf("flipping bit %d (byte %d): %s, want bad_signature", i, off, r)
		}
	}
}

func TestVerifyNilTrust(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())
	if _, err := Verify(good, nil, vectorFrom(), DefaultSkew); reasonOf(err) != reason.UnknownIssuer {
		t.Errorf("nil trust list: %v", err)
	}
	if _, err := Verify(good, wire.TrustList(nil), vectorFrom(), DefaultSkew); reasonOf(err) != reason.UnknownIssuer {
		t.Errorf("nil map: %v", err)
	}
	broken := wire.TrustList{idOf(issuerKey()): ed25519.PublicKey{1, 2, 3}}
	if _, err := Verify(good, broken, vectorFrom(), DefaultSkew); reasonOf(err) != reason.UnknownIssuer {
		t.Errorf("trust list with a short key: %v", err)
	}
}

// countingTrust counts lookups: Verify asks once, by id, or not at all.
type countingTrust struct {
	wire.TrustList
	lookups int
}

func (c *countingTrust) Issuer(id wire.KeyID) (ed25519.PublicKey, bool) {
	c.lookups++
	return c.TrustList.Issuer(id)
}

func TestVerifyLooksUpOnce(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())
	stranger := samplePass()
	stranger.Issuer = idOf(testKey(2))
	for _, tt := range []struct {
		payload string
		lookups int
	}{
		{good, 1},
		{mustEncode(t, stranger, testKey(2)), 1},
		{"DC1:ABC", 0},
		{"nonsense", 0},
	} {
		c := &countingTrust{TrustList: testTrust()}
		Verify(tt.payload, c, vectorFrom(), DefaultSkew)
		if c.lookups != tt.lookups {
			t.Errorf("%.12q: %d lookups, want %d", tt.payload, c.lookups, tt.lookups)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	edit := func(f func(p *Pass)) Pass { p := samplePass(); f(&p); return p }
	tests := []struct {
		name      string
		p         Pass
		key       ed25519.PrivateKey
		malformed bool // an *Error with reason.Malformed, not just an error
	}{
		{"key is not the issuer's", samplePass(), testKey(2), false},
		{"short private key", samplePass(), issuerKey()[:32], false},
		{"reversed window", edit(func(p *Pass) { p.NotBefore, p.ExpiresAt = vectorTo(), vectorFrom() }), issuerKey(), true},
		{"empty window", edit(func(p *Pass) { p.ExpiresAt = p.NotBefore }), issuerKey(), true},
		{"window shorter than a second", edit(func(p *Pass) {
			p.NotBefore = vectorFrom().Add(100 * time.Millisecond)
			p.ExpiresAt = vectorFrom().Add(900 * time.Millisecond)
		}), issuerKey(), true},
		{"zero issued-at", edit(func(p *Pass) { p.IssuedAt = time.Time{} }), issuerKey(), true},
		{"zero not-before", edit(func(p *Pass) { p.NotBefore = time.Time{} }), issuerKey(), true},
		{"before 1970", edit(func(p *Pass) { p.NotBefore = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }), issuerKey(), true},
		{"after 2106", edit(func(p *Pass) { p.ExpiresAt = time.Date(2107, 1, 1, 0, 0, 0, 0, time.UTC) }), issuerKey(), true},
	}
	for _, tt := range tests {
		s, err := Encode(tt.p, tt.key)
		if err == nil {
			t.Errorf("%s: Encode = %q", tt.name, s)
			continue
		}
		if got := reasonOf(err) == reason.Malformed; got != tt.malformed {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// Encode then Verify gives back the pass, times truncated to seconds.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	trust := testTrust()
	for range 200 {
		var p Pass
		for i := range p.Subject {
			p.Subject[i] = byte(rng.Uint32())
		}
		p.Issuer = idOf(issuerKey())
		nb := time.Unix(1+rng.Int64N(1<<32-100_000), rng.Int64N(1e9))
		p.IssuedAt = nb.Add(-time.Duration(rng.Int64N(int64(time.Hour))))
		if p.IssuedAt.Unix() <= 0 {
			p.IssuedAt = nb
		}
		p.NotBefore = nb
		p.ExpiresAt = nb.Add(time.Second + time.Duration(rng.Int64N(int64(24*time.Hour))))
		s := mustEncode(t, p, issuerKey())
		got, err := Verify(s, trust, p.NotBefore, DefaultSkew)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		trunc := func(tm time.Time) time.Time { return time.Unix(tm.Unix(), 0).UTC() }
		if got.Issuer != p.Issuer || got.Subject != p.Subject ||
			got.IssuedAt != trunc(p.IssuedAt) || got.NotBefore != trunc(p.NotBefore) || got.ExpiresAt != trunc(p.ExpiresAt) {
			t.Fatalf("round trip %+v -> %+v", p, got)
		}
	}
}

// Errors are logged: they must not carry the payload, which is as good as
// the pass itself.
func TestPassErrorNeverLeaksPayload(t *testing.T) {
	good := mustEncode(t, samplePass(), issuerKey())
	body, _ := decodeBase45(good[len(Prefix):])
	body[bodySigned] ^= 1
	stranger := samplePass()
	stranger.Issuer = idOf(testKey(2))
	for _, tt := range []struct {
		payload string
		now     time.Time
	}{
		{good, vectorTo().Add(time.Hour)},
		{good, vectorFrom().Add(-time.Hour)},
		{Prefix + encodeBase45(body), vectorFrom()},
		{mustEncode(t, stranger, testKey(2)), vectorFrom()},
		{good[:len(good)-1], vectorFrom()},
		{good[:50] + "_" + good[51:], vectorFrom()},
		{strings.ToLower(good), vectorFrom()},
	} {
		_, err := Verify(tt.payload, testTrust(), tt.now, DefaultSkew)
		if err == nil {
			t.Fatal("verified")
		}
		for i := 0; i+8 <= len(tt.payload); i++ {
			if strings.Contains(err.Error(), tt.payload[i:i+8]) {
				t.Fatalf("error %q holds part of the payload", err)
			}
		}
	}
}

func FuzzVerify(f *testing.F) {
	good := mustEncode(f, samplePass(), issuerKey())
	f.Add(good)
	f.Add(good + "\r\n")
	f.Add(good[:len(good)-3])
	f.Add(Prefix)
	f.Add(Prefix + "GGW")
	f.Add("900101400003")
	f.Add("DC1:\x1b[31m")
	f.Add(signBody(f, issuerKey(), func(b []byte) { putTime(b, offExpiresAt, vectorFrom()) }))
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	trust := testTrust()
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Verify(s, trust, now, DefaultSkew)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("error %v of type %T", err, err)
			}
			if Classify(s) != KindPass && pe.Reason != reason.UnknownFormat {
				t.Fatalf("not a pass by Classify, but %s", pe.Reason)
			}
			return
		}
		// Ed25519 signatures are deterministic and base45 decoding is
		// strict, so anything that verifies is exactly what the issuer
		// made: no second spelling of a pass exists.
		if again := mustEncode(t, p, issuerKey()); again != trimASCII(s) {
			t.Fatalf("verified %q, but the issuer's encoding is %q", s, again)
		}
		if !Recognised(s) || Classify(s) != KindPass {
			t.Fatalf("verified %q but Recognised/Classify disagree", s)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	good := mustEncode(b, samplePass(), issuerKey())
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	trust := testTrust()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(good, trust, now, DefaultSkew); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	good := mustEncode(b, samplePass(), issuerKey())
	b.ReportAllocs()
	for b.Loop() {
		Classify(good)
		Classify("9001 0140 0003")
	}
}
