package serial

import (
	"bytes"
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
// byte of a code is written into the pseudo-terminal to the moment its
// Scan reaches the goroutine that calls Check. The bytes before it arrive
// at 115200-baud pace, as from a real scanner.
//
// With a terminator the last byte is the CR. With terminator none there
// is no last byte to act on: the code ends when the line has been idle
// for the gap (the default 50 ms), so that latency is the gap plus the
// same path, by definition; there the whole code is written at once
// and the clock runs from that write.
//
// A CPU-starved machine can pause the writing goroutine for longer than
// the idle limit; the CR case uses a 1 s Gap (a 4 s idle limit) so that
// such a pause shows in the tail instead of splitting a code.
//
//	go test ./scanner/serial -run '^$' -bench 'SerialPath/cr|PtyFloor' -benchtime 2000x -count 3
//	go test ./scanner/serial -run '^$' -bench SerialPath/none -benchtime 200x
func BenchmarkSerialPath(b *testing.B) {
	for _, tc := range []struct {
		name string
		term frame.Terminator
		gap  time.Duration
	}{{"cr", frame.CR, time.Second}, {"none-gap-50ms", frame.None, frame.DefaultGap}} {
		b.Run(tc.name, func(b *testing.B) {
			m, s, err := pty.Open()
			if err != nil {
				b.Skip(err)
			}
			defer m.Close()
			defer s.Close()
			src, err := New(Config{Path: s.Name(), Baud: 115200, Framing: frame.Options{Terminator: tc.term, Gap: tc.gap}})
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
			const code = "900101400003"
			var lat latency.Sample
			for b.Loop() {
				last := code
				if tc.term == frame.CR {
					if err := sim.Write(ctx, m, []string{code}, sim.Options{Baud: 115200, Terminator: frame.None}); err != nil {
						b.Fatal(err)
					}
					last = "\r"
				}
				start := time.Now()
				if _, err := m.Write([]byte(last)); err != nil {
					b.Fatal(err)
				}
				if got := <-scans; got.Payload != code {
					b.Fatalf("scan %q", got.Payload)
				}
				lat.Add(time.Since(start))
			}
			b.ReportMetric(latency.Micros(lat.Percentile(50)), "p50-µs")
			b.ReportMetric(latency.Micros(lat.Percentile(99)), "p99-µs")
			b.ReportMetric(latency.Micros(lat.Percentile(100)), "max-µs")
		})
	}
}

// BenchmarkPtyFloor is the reference for BenchmarkSerialPath/cr on the
// same machine at the same moment: the same paced code and CR written
// into a pseudo-terminal, read by a goroutine blocked on the slave and
// handed over a channel at the CR, with no serial library and no framing.
// What SerialPath/cr adds beyond it is this package's cost; the rest is
// the machine's (on a virtual machine, mostly waking an idle vCPU).
func BenchmarkPtyFloor(b *testing.B) {
	m, s, err := pty.Open()
	if err != nil {
		b.Skip(err)
	}
	defer m.Close()
	defer s.Close()
	// The slave stays in canonical mode: the CR becomes a line end, and
	// the read returns at once.
	got := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := s.Read(buf)
			if err != nil {
				close(got)
				return
			}
			if bytes.IndexByte(buf[:n], '\n') >= 0 {
				got <- struct{}{}
			}
		}
	}()
	var lat latency.Sample
	for b.Loop() {
		if err := sim.Write(context.Background(), m, []string{"900101400003"}, sim.Options{Baud: 115200, Terminator: frame.None}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := m.Write([]byte("\r")); err != nil {
			b.Fatal(err)
		}
		<-got
		lat.Add(time.Since(start))
	}
	b.ReportMetric(latency.Micros(lat.Percentile(50)), "p50-µs")
	b.ReportMetric(latency.Micros(lat.Percentile(99)), "p99-µs")
	b.ReportMetric(latency.Micros(lat.Percentile(100)), "max-µs")
}
