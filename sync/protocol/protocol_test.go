package protocol

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func testKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))
}

func ref(base, v uint64) FileRef {
	name := FullName(v)
	if base != 0 {
		name = DeltaName(base, v)
	}
	sum := sha256.Sum256([]byte(name))
	return FileRef{BaseVersion: base, Version: v, Name: name, Size: 100, SHA256: hex.EncodeToString(sum[:]), Records: 1}
}

func testIndex() Index {
	return Index{
		Deployment:  "test",
		PublishedAt: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC),
		Version:     5,
		Full:        ref(0, 5),
		Deltas:      []FileRef{ref(4, 5), ref(3, 4), ref(2, 3)},
	}
}

func TestIndexSignVerify(t *testing.T) {
	key := testKey(1)
	doc, err := SignIndex(testIndex(), key)
	if err != nil {
		t.Fatal(err)
	}
	x, err := VerifyIndex(doc, key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if x.Version != 5 || len(x.Deltas) != 3 || x.Full.Name != "full-5.dcsnap" {
		t.Fatalf("index round trip: %+v", x)
	}
	if _, err := VerifyIndex(doc, testKey(2).Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadIndexSignature) {
		t.Fatalf("other key: %v", err)
	}
	tampered := bytes.Replace(doc, []byte(`"version":5`), []byte(`"version":6`), 1)
	if bytes.Equal(tampered, doc) {
		t.Fatal("test did not tamper")
	}
	if _, err := VerifyIndex(tampered, key.Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadIndexSignature) {
		t.Fatalf("tampered index: %v", err)
	}
}

func TestIndexValidateRefusesBrokenChains(t *testing.T) {
	for name, mutate := range map[string]func(*Index){
		"gap in chain":    func(x *Index) { x.Deltas = []FileRef{ref(4, 5), ref(2, 3)} },
		"wrong head":      func(x *Index) { x.Deltas = []FileRef{ref(3, 4)} },
		"full mismatch":   func(x *Index) { x.Full = ref(0, 4) },
		"renamed file":    func(x *Index) { x.Full.Name = "../../etc/passwd" },
		"no publish time": func(x *Index) { x.PublishedAt = time.Time{} },
		"too long": func(x *Index) {
			x.Version = MaxChain + 2
			x.Full = ref(0, x.Version)
			x.Deltas = nil
			for v := x.Version; v > 1; v-- {
				x.Deltas = append(x.Deltas, ref(v-1, v))
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			x := testIndex()
			mutate(&x)
			if _, err := SignIndex(x, testKey(1)); err == nil {
				t.Fatal("signed an invalid index")
			}
		})
	}
}

func TestPlanFrom(t *testing.T) {
	x := testIndex()
	for _, tc := range []struct {
		current uint64
		kind    PlanKind
		files   []string
	}{
		{5, PlanCurrent, nil},
		{6, PlanAhead, nil},
		{4, PlanDeltas, []string{"delta-4-5.dcsnap"}},
		{2, PlanDeltas, []string{"delta-2-3.dcsnap", "delta-3-4.dcsnap", "delta-4-5.dcsnap"}},
		{1, PlanFull, []string{"full-5.dcsnap"}},
		{0, PlanFull, []string{"full-5.dcsnap"}},
	} {
		p := x.PlanFrom(tc.current)
		var got []string
		for _, f := range p.Files {
			got = append(got, f.Name)
		}
		if p.Kind != tc.kind || strings.Join(got, ",") != strings.Join(tc.files, ",") {
			t.Errorf("from %d: got %v %v, want %v %v", tc.current, p.Kind, got, tc.kind, tc.files)
		}
	}
}

func TestParseFileName(t *testing.T) {
	for _, tc := range []struct {
		name          string
		base, version uint64
		ok            bool
	}{
		{"full-1.dcsnap", 0, 1, true},
		{"full-18446744073709551615.dcsnap", 0, 18446744073709551615, true},
		{"delta-11-12.dcsnap", 11, 12, true},
		{"full-01.dcsnap", 0, 0, false},
		{"full-0.dcsnap", 0, 0, false},
		{"full-+1.dcsnap", 0, 0, false},
		{"delta-12-11.dcsnap", 0, 0, false},
		{"delta-12.dcsnap", 0, 0, false},
		{"full-1.dcsnap.tmp", 0, 0, false},
		{"../full-1.dcsnap", 0, 0, false},
		{"manifest", 0, 0, false},
	} {
		b, v, ok := ParseFileName(tc.name)
		if ok != tc.ok || b != tc.base || v != tc.version {
			t.Errorf("%q: got %d %d %v", tc.name, b, v, ok)
		}
		if ok {
			want := FullName(v)
			if b != 0 {
				want = DeltaName(b, v)
			}
			if want != tc.name {
				t.Errorf("%q does not round-trip: %q", tc.name, want)
			}
		}
	}
}

func TestEnrollCodeRoundTrip(t *testing.T) {
	key := testKey(3).Public().(ed25519.PublicKey)
	c := EnrollCode{Handshake: Handshake, Token: [TokenSize]byte{1, 2, 3}, KeyFingerprint: Fingerprint(key), URL: "https://hub.example:8443/doorcheck"}
	s := c.String()
	if !strings.HasPrefix(s, EnrollCodePrefix) || strings.ContainsAny(s, " +/=") {
		t.Fatalf("code %q", s)
	}
	back, err := ParseEnrollCode(" " + s + "\r\n")
	if err != nil || back != c {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	for name, bad := range map[string]string{
		"prefix":    "DCE2:" + s[len(EnrollCodePrefix):],
		"truncated": s[:30],
		"garbage":   EnrollCodePrefix + "!!!",
	} {
		if _, err := ParseEnrollCode(bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	for _, u := range []string{"ftp://hub", "https://user:pw@hub", "https://hub/?x=1", "hub:8443", "https://" + strings.Repeat("h", 300)} {
		c.URL = u
		if _, err := ParseEnrollCode(c.String()); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	c.URL, c.Handshake = "https://hub", 2
	if _, err := ParseEnrollCode(c.String()); err == nil {
		t.Error("handshake 2 accepted")
	}
}

func TestCredential(t *testing.T) {
	k, s, err := ParseCredential(Credential("k-abc", []byte{0xff, 0, 1}))
	if err != nil || k != "k-abc" || !bytes.Equal(s, []byte{0xff, 0, 1}) {
		t.Fatalf("%q %x %v", k, s, err)
	}
	for _, bad := range []string{"", "k-abc", ".AAA", "k.!!"} {
		if _, _, err := ParseCredential(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
