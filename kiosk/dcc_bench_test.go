package kiosk

import (
	"context"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

// BenchmarkCheckDurableDCC is the whole door path for a DCC scan (verify,
// rules, presence, counters, policy, fsynced visit) beside the same for an
// IIN, on one store in the same run, with the raw fsync as reference.
//
//	go test ./kiosk -run '^$' -bench CheckDurableDCC -benchtime 2000x -count 3
func BenchmarkCheckDurableDCC(b *testing.B) {
	s, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", demoDay.AddDate(-1, 0, 0), demoDay.AddDate(1, 0, 0), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	tl := dcc.NewTrustList()
	tl.AddDER(s.DER, "DE")
	vacc := dcctest.Vaccination("Muster", "Erika", "1964-08-12", "URN:UVCI:01:DE:BENCH", 2, 2, demoDay.AddDate(0, 0, -60))
	text, err := dcctest.Issue(s, dcctest.Claims{Issuer: "DE", IssuedAt: demoDay.AddDate(0, 0, -60), Expires: demoDay.AddDate(1, 0, 0), Cert: vacc}, dcctest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, payload string }{{"DCC", text}, {"IIN", demo.People()[0].IIN}} {
		b.Run(tc.name, func(b *testing.B) {
			dir := latency.BenchDir(b)
			st := openDemoStore(b, dir, true)
			clk := newClock(demoDay)
			c := New(st, Settings{Kiosk: "k", Venue: "v", Door: "d", Rules: policy.Rules{Admitted: policy.Standard},
				DCC: &DCCSettings{Verifier: dcc.Verifier{Trust: tl, CheckKeyUsage: true}, Rules: dcc.DefaultRules()}},
				WithClock(func() time.Time { clk.add(2 * time.Second); return clk.now() }))
			ctx := context.Background()
			var lat latency.Sample
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				v, err := c.Check(ctx, tc.payload, "bench")
				if err != nil || v.Decision != Admit {
					b.Fatalf("%v %v %v", v.Decision, v.Reasons, err)
				}
				lat.Add(time.Since(start))
			}
			b.StopTimer()
			raw, err := latency.RawFsync(dir, max(lat.Len(), 100))
			if err != nil {
				b.Fatal(err)
			}
			latency.Report(b, &lat, raw)
		})
	}
}
