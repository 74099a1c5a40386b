package dcc_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BenchmarkVerify: one DCC through the whole pipeline (prefix, base45,
// zlib, COSE, kid lookup in a 1,500-signer trust list — the EU gateway's
// size —, signature, claims, certificate, times) and, as the same-run
// reference, the verification part of an IIN scan (check digits and the
// keyed subject hash). p50/p99 are over the benchmark's own iterations.
func BenchmarkVerify(b *testing.B) {
	others := make([]*dcc.Signer, 0, 1500)
	for range 1500 {
		o, err := dcctest.NewSigner(cose.AlgorithmES256, "XX", dscFrom, dscUntil, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		sg, _ := dcc.NewTrustList().AddDER(o.DER, "XX")
		others = append(others, sg)
	}
	for _, alg := range []cose.Algorithm{cose.AlgorithmES256, cose.AlgorithmPS256} {
		s := signer(b, alg)
		own, _ := dcc.NewTrustList().AddDER(s.DER, "DE")
		v := dcc.Verifier{Trust: dcc.NewTrustList(append(slices.Clone(others), own)...), CheckKeyUsage: true}
		text := issue(b, s, vaccClaims(), dcctest.Options{})
		b.Run("DCC_"+alg.String(), func(b *testing.B) {
			percentiles(b, func() {
				if _, err := v.Verify(text, t0); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	h := wire.NewSubjectHasher(make([]byte, 32))
	b.Run("IIN", func(b *testing.B) {
		percentiles(b, func() {
			d, err := pass.ParseIIN("900101300017")
			if err != nil {
				b.Fatal(err)
			}
			_ = h.IIN(d)
		})
	})
}

func percentiles(b *testing.B, f func()) {
	b.ReportAllocs()
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t := time.Now()
		f()
		lat = append(lat, time.Since(t))
	}
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
