package demo

import (
	"bytes"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// The demo signer is the same in every process (so a listed sample
// verifies later), and the samples verify or fail as their labels say.
func TestDCCSamples(t *testing.T) {
	a, err := DCCSigner()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DCCSigner()
	if !bytes.Equal(a.DER, b.DER) {
		t.Fatal("demo DSC differs between calls")
	}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	samples, err := DCCSamples(now)
	if err != nil || len(samples) != 3 {
		t.Fatalf("%d samples, %v", len(samples), err)
	}
	tl, err := DCCTrustList()
	if err != nil {
		t.Fatal(err)
	}
	v := dcc.Verifier{Trust: tl, CheckKeyUsage: true}
	want := []dcc.Kind{0, 0, dcc.KindBadSignature}
	for i, s := range samples {
		res, err := v.Verify(s.Payload, now)
		if dcc.KindOf(err) != want[i] {
			t.Errorf("%s: %v", s.Label, err)
			continue
		}
		if i == 0 {
			if _, err := dcc.DefaultRules().Decide(res, now); err != nil {
				t.Errorf("%s: rules: %v", s.Label, err)
			}
		}
		if i == 1 {
			if _, err := dcc.DefaultRules().Decide(res, now); dcc.KindOf(err) != dcc.KindExpired {
				t.Errorf("%s: rules: %v, want expired", s.Label, err)
			}
		}
	}
}
