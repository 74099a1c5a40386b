package protocol

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

// TestIndexDCCTrust: an index naming a DCC trust list signs and verifies
// with the reference intact; a reference from a later version, with a
// non-canonical name, too big or without a hash is refused; names parse
// only in their one spelling.
func TestIndexDCCTrust(t *testing.T) {
	key := testKey(1)
	good := ref(0, 3)
	good.Name = DCCTrustName(3)
	x := testIndex()
	x.DCCTrust = &good
	doc, err := SignIndex(x, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyIndex(doc, key.Public().(ed25519.PublicKey))
	if err != nil || got.DCCTrust == nil || *got.DCCTrust != good {
		t.Fatalf("round trip: %v %+v", err, got.DCCTrust)
	}
	for name, mutate := range map[string]func(*FileRef){
		"later version": func(f *FileRef) { f.Version, f.Name = 6, DCCTrustName(6) },
		"name":          func(f *FileRef) { f.Name = "dcc-trust-03.json" },
		"full name":     func(f *FileRef) { f.Name = FullName(3) },
		"size":          func(f *FileRef) { f.Size = MaxDCCTrustSize + 1 },
		"empty":         func(f *FileRef) { f.Size = 0 },
		"hash":          func(f *FileRef) { f.SHA256 = "abc" },
		"base":          func(f *FileRef) { f.BaseVersion = 2 },
	} {
		bad := good
		mutate(&bad)
		x := testIndex()
		x.DCCTrust = &bad
		if _, err := SignIndex(x, key); err == nil || !strings.Contains(err.Error(), "dcc_trust") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, want := range map[string]uint64{"dcc-trust-7.json": 7, "dcc-trust-07.json": 0, "dcc-trust-7.dcsnap": 0, "full-7.dcsnap": 0, "dcc-trust-.json": 0} {
		v, ok := ParseDCCTrustName(name)
		if ok != (want != 0) || v != want {
			t.Errorf("ParseDCCTrustName(%q) = %d, %v", name, v, ok)
		}
	}
}
