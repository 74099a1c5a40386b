package kiosk

import (
	"context"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// BenchmarkCheckDurable is one whole check — parse, verify, lookup, policy,
// and the fsynced visit record — per iteration, with the raw fsync of the
// same directory measured in the same run as the reference.
//
//	go test ./kiosk -run '^$' -bench CheckDurable -benchtime 2000x -count 5
func BenchmarkCheckDurable(b *testing.B) {
	dir := latency.BenchDir(b)
	st := openDemoStore(b, dir, true)
	clk := newClock(demoDay)
	c := New(st, Settings{Kiosk: "k", Venue: "v", Door: "d", Rules: policy.Rules{Admitted: policy.Standard}},
		WithClock(func() time.Time { clk.add(2 * time.Second); return clk.now() }))
	samples, _ := demo.Samples(demoDay)
	ctx := context.Background()
	var lat latency.Sample
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := c.Check(ctx, samples[i%len(samples)].Payload, "bench"); err != nil {
			b.Fatal(err)
		}
		lat.Add(time.Since(start))
	}
	b.StopTimer()
	raw, err := latency.RawFsync(dir, max(lat.Len(), 100))
	if err != nil {
		b.Fatal(err)
	}
	latency.Report(b, &lat, raw)
}
