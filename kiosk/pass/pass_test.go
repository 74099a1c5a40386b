package pass

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func testKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func idOf(k ed25519.PrivateKey) wire.KeyID { return wire.KeyIDOf(k.Public().(ed25519.PublicKey)) }

var (
	issuerKey = testKey(0x01)
	trust     = wire.TrustList{idOf(issuerKey): issuerKey.Public().(ed25519.PublicKey)}
	from      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to        = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
	subject   = wire.SubjectKey(bytes.Repeat([]byte{0xAB}, 16))
)

func samplePass() Pass {
	return Pass{Issuer: idOf(issuerKey), Subject: subject, IssuedAt: from, NotBefore: from, ExpiresAt: to}
}

// The docs/formats.md vector: key seed 32 × 0x01, subject 16 × 0xAB,
// window 2026-01-01 .. 2036-01-01 UTC.
const docVector = "DC1:%60.ZENDJRVLRVLRVLRVLRVLRVLRVL6ULU$AF20U$AY20-Q4*30UU554O1$DQZPVK9A*9+*P/-A85A4LOU$CF5IZY48NLYH0DF8*3BZPJ3 3543H2NGT5Y22LP5F6V10DOMSVP4UTPMFWWOIB0"

func TestEncodeVector(t *testing.T) {
	got, err := Encode(samplePass(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != PayloadLength {
		t.Errorf("payload is %d chars, want %d", len(got), PayloadLength)
	}
	if got != docVector {
		t.Errorf("Encode = %s\nwant docs/formats.md vector %s", got, docVector)
	}
	for _, c := range got {
		if !strings.ContainsRune(base45Alphabet, c) {
			t.Fatalf("payload has %q, outside the QR alphanumeric set", c)
		}
	}
}

func TestVerify(t *testing.T) {
	good, err := Encode(samplePass(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	stranger := samplePass()
	stranger.Issuer = idOf(testKey(2))
	strangerPass, _ := Encode(stranger, testKey(2))

	permitStart := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	permit := samplePass()
	permit.IssuedAt, permit.NotBefore, permit.ExpiresAt = permitStart, permitStart, permitStart.Add(time.Hour)
	permitPass, _ := Encode(permit, issuerKey)

	flipped := []byte(good)
	i := len(flipped) - 5 // low digit of the last full triple, inside the signature
	flipped[i] = base45Alphabet[strings.IndexByte(base45Alphabet, flipped[i])^1]

	tamperedBody, _ := decodeBase45(good[len(Prefix):])
	tamperedBody[1+4+16] ^= 0x01 // issued-at changed, signature kept
	tampered := Prefix + encodeBase45(tamperedBody)

	otherVersion := bytes.Clone(tamperedBody)
	otherVersion[0] = 2

	now := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		payload string
		now     time.Time
		reason  reason.Code
	}{
		{"valid", good, now, ""},
		{"valid with trailing CRLF", good + "\r\n", now, ""},
		{"permit inside its hour", permitPass, now, ""},
		{"permit within skew after its hour", permitPass, permitStart.Add(time.Hour + 59*time.Second), ""},
		{"permit just past skew", permitPass, permitStart.Add(time.Hour + 60*time.Second), reason.Expired},
		{"permit within skew before", permitPass, permitStart.Add(-60 * time.Second), ""},
		{"permit before skew", permitPass, permitStart.Add(-61 * time.Second), reason.NotYetValid},
		{"expired", good, to.Add(48 * time.Hour), reason.Expired},
		{"not yet valid", good, from.Add(-48 * time.Hour), reason.NotYetValid},
		{"unknown issuer", strangerPass, now, reason.UnknownIssuer},
		{"signature bit flipped", string(flipped), now, reason.BadSignature},
		{"signed field changed", tampered, now, reason.BadSignature},
		{"other format version", Prefix + encodeBase45(otherVersion), now, reason.Malformed},
		{"lowercase", strings.ToLower(good), now, reason.UnknownFormat},
		{"bad base45 char", good[:20] + "a" + good[21:], now, reason.Malformed},
		{"truncated", good[:len(good)-3], now, reason.Malformed},
		{"too long", good + "000", now, reason.Malformed},
		{"prefix only", Prefix, now, reason.Malformed},
		{"no prefix", "HELLO", now, reason.UnknownFormat},
		{"url", "https://example.com/pass", now, reason.UnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Verify(tt.payload, trust, tt.now, DefaultSkew)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if p.Subject != subject {
					t.Fatalf("subject = %s", p.Subject)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Reason != tt.reason {
				t.Fatalf("Verify error = %v, want %s", err, tt.reason)
			}
		})
	}
}

func TestExpiredAgoAndValidIn(t *testing.T) {
	good, _ := Encode(samplePass(), issuerKey)
	_, err := Verify(good, trust, to.Add(3*time.Hour), DefaultSkew)
	var pe *Error
	if !errors.As(err, &pe) || pe.ExpiredAgo != 3*time.Hour {
		t.Fatalf("expired: %v (%+v)", err, pe)
	}
	_, err = Verify(good, trust, from.Add(-2*time.Hour), DefaultSkew)
	if !errors.As(err, &pe) || pe.ValidIn != 2*time.Hour {
		t.Fatalf("not yet valid: %v (%+v)", err, pe)
	}
}

func TestEncodeRejects(t *testing.T) {
	p := samplePass()
	if _, err := Encode(p, testKey(2)); err == nil {
		t.Error("Encode signed with a key that is not the issuer's")
	}
	p.NotBefore, p.ExpiresAt = to, from
	if _, err := Encode(p, issuerKey); err == nil {
		t.Error("Encode accepted a reversed window")
	}
	p = samplePass()
	p.ExpiresAt = p.NotBefore
	if _, err := Encode(p, issuerKey); err == nil {
		t.Error("Encode accepted an empty window")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
	}{
		{"900101400003", KindIIN},
		{"9001 0140 0003", KindIIN},
		{"900101400004", KindIIN}, // looks like one; the checksum is Verify's job
		{"4006381333931", KindUnknown},
		{"DC1:ABC", KindPass},
		{"", KindUnknown},
		{"ЗЗЗ", KindUnknown},
	}
	for _, tt := range tests {
		if got := Classify(tt.in); got != tt.want {
			t.Errorf("Classify(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	good, _ := Encode(samplePass(), issuerKey)
	if !Recognised(good) || !Recognised("900101400003") || Recognised("900101400004") || Recognised("DC1:ABC") {
		t.Error("Recognised gives wrong answers")
	}
}

func TestBase45RFCVectors(t *testing.T) {
	vectors := map[string]string{"AB": "BB8", "Hello!!": "%69 VD92EX0", "base-45": "UJCLQE7W581", "ietf!": "QED8WEX0", "": ""}
	for plain, enc := range vectors {
		if got := encodeBase45([]byte(plain)); got != enc {
			t.Errorf("encode(%q) = %q, want %q", plain, got, enc)
		}
		got, err := decodeBase45(enc)
		if err != nil || string(got) != plain {
			t.Errorf("decode(%q) = %q, %v", enc, got, err)
		}
	}
	for _, bad := range []string{"GGW", "A", "ZZ", "aBB", "BB8A"} {
		if _, err := decodeBase45(bad); err == nil {
			t.Errorf("decode(%q) accepted", bad)
		}
	}
}

func FuzzBase45Decode(f *testing.F) {
	f.Add("BB8")
	f.Add("%69 VD92EX0")
	f.Add("GGW")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := decodeBase45(s)
		if err != nil {
			return
		}
		if again := encodeBase45(b); again != s {
			t.Fatalf("decode(%q) then encode = %q", s, again)
		}
	})
}

func FuzzVerify(f *testing.F) {
	good, _ := Encode(samplePass(), issuerKey)
	f.Add(good)
	f.Add(Prefix)
	f.Add("900101400003")
	f.Add("DC1:\x1b[31m")
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Verify(s, trust, now, DefaultSkew)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if p.Subject != subject {
			t.Fatalf("forged pass verified: %q", s)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	good, _ := Encode(samplePass(), issuerKey)
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := Verify(good, trust, now, DefaultSkew); err != nil {
			b.Fatal(err)
		}
	}
}
