package protocol

import (
	"crypto/ed25519"
	"testing"
)

// FuzzParseEnrollCode: no input panics the parser, and whatever it accepts
// encodes back to the same code.
func FuzzParseEnrollCode(f *testing.F) {
	c := EnrollCode{Handshake: Handshake, Token: [TokenSize]byte{9}, URL: "https://hub:8443"}
	f.Add(c.String())
	f.Add("DCE1:")
	f.Add("DCE1:AQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseEnrollCode(s)
		if err != nil {
			return
		}
		back, err := ParseEnrollCode(c.String())
		if err != nil || back != c {
			t.Fatalf("%q parsed to %+v, which does not round-trip: %v", s, c, err)
		}
	})
}

// FuzzVerifyIndex: no document panics verification, and none verifies
// without the key's signature.
func FuzzVerifyIndex(f *testing.F) {
	key := testKey(1)
	doc, err := SignIndex(testIndex(), key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`{"index":{},"signature":""}`))
	pub := key.Public().(ed25519.PublicKey)
	other := testKey(2).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, b []byte) {
		VerifyIndex(b, pub)
		if _, err := VerifyIndex(b, other); err == nil {
			t.Fatal("a document verified against a key that never signed it")
		}
	})
}
