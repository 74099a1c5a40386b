package dcc_test

import (
	"errors"
	"testing"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

// FuzzVerify feeds whatever a scanner could deliver to the whole pipeline
// (prefix, base45, zlib, COSE, CWT, the certificate): never a panic, every
// failure an *Error, and a success only for a certificate the trusted
// signer really signed — which a mutation of the seed almost never is.
func FuzzVerify(f *testing.F) {
	s := signer(f, cose.AlgorithmES256)
	valid := issue(f, s, vaccClaims(), dcctest.Options{})
	for _, seed := range []string{valid, "HC1:", "HC1:6BF", "", valid[:len(valid)/2], "HC1:" + valid} {
		f.Add(seed)
	}
	v := &dcc.Verifier{Trust: trustOf(f, s)}
	f.Fuzz(func(t *testing.T, text string) {
		res, err := v.Verify(text, t0)
		if err != nil {
			var de *dcc.Error
			if !errors.As(err, &de) {
				t.Fatalf("Verify(%q): %T %v, want a *dcc.Error", text, err, err)
			}
			return
		}
		if res == nil {
			t.Fatalf("Verify(%q): no result and no error", text)
		}
	})
}
