package kiosk

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BenchmarkCheckDurable is one whole check — parse, verify, lookup, policy,
// and the fsynced visit record — per iteration, with the raw fsync of the
// same directory measured in the same run as the reference.
//
//	go test ./kiosk -run '^$' -bench CheckDurable -benchtime 2000x -count 5
func BenchmarkCheckDurable(b *testing.B) {
	dir := latency.BenchDir(b)
	st, err := store.Open(filepath.Join(dir, "k.db"), store.Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	data, _ := demo.Snapshot(demoDay)
	r, _ := wire.Open(bytes.NewReader(data), demo.HubPublicKey())
	if err := st.Import(context.Background(), r, nil); err != nil {
		b.Fatal(err)
	}
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
