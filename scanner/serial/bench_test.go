package serial

import (
	"context"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/internal/latency"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
	"github.com/doorcheck/doorcheck/scanner/sim"
)

// BenchmarkSerialPath measures the serial path from the moment the last
// byte of a code (its terminator) is written into the pseudo-terminal to
// the moment the scan reaches the goroutine that calls Check. The bytes
// before it arrive at 115200-baud pace, as from a real scanner.
//
//	go test ./scanner/serial -run '^$' -bench SerialPath -benchtime 500x -count 5
func BenchmarkSerialPath(b *testing.B) {
	for _, tc := range []struct {
		name string
		term frame.Terminator
		last string
	}{{"cr", frame.CR, "\r"}, {"none-gap-20ms", frame.None, "3"}} {
		b.Run(tc.name, func(b *testing.B) {
			m, s, err := pty.Open()
			if err != nil {
				b.Skip(err)
			}
			defer m.Close()
			defer s.Close()
			src, err := New(Config{Path: s.Name(), Baud: 115200, Framing: frame.Options{Terminator: tc.term, Gap: 20 * time.Millisecond}})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			scans, events := make(chan scanner.Scan, 1), make(chan scanner.Event, 8)
			go src.Run(ctx, scans, events)
			for e := range events {
				if e.Kind == scanner.Connected {
					break
				}
			}
			body := "90010140000"
			var lat latency.Sample
			for b.Loop() {
				if err := sim.Write(ctx, m, []string{body}, sim.Options{Baud: 115200, Terminator: frame.None, Gap: time.Nanosecond}); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if _, err := m.Write([]byte(tc.last)); err != nil {
					b.Fatal(err)
				}
				<-scans
				lat.Add(time.Since(start))
			}
			b.ReportMetric(latency.Micros(lat.Percentile(50)), "p50-µs")
			b.ReportMetric(latency.Micros(lat.Percentile(99)), "p99-µs")
		})
	}
}
