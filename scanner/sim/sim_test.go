package sim

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/doorcheck/doorcheck/scanner/frame"
)

func TestByteTime(t *testing.T) {
	tests := []struct {
		baud int
		want time.Duration
	}{{9600, 1041666 * time.Nanosecond}, {115200, 86805 * time.Nanosecond}, {0, 0}, {-1, 0}}
	for _, tt := range tests {
		if got := ByteTime(tt.baud); got != tt.want {
			t.Errorf("ByteTime(%d) = %v, want %v", tt.baud, got, tt.want)
		}
	}
}

func TestWriteFrames(t *testing.T) {
	tests := []struct {
		name     string
		payloads []string
		opt      Options
		want     string
	}{
		{"cr", []string{"AB", "CD"}, Options{Terminator: frame.CR}, "AB\rCD\r"},
		{"lf", []string{"AB"}, Options{Terminator: frame.LF}, "AB\n"},
		{"crlf with aim, twice", []string{"AB", "CD"}, Options{Terminator: frame.CRLF, Prefix: "]Q1", Repeat: 2}, "]Q1AB\r\n]Q1AB\r\n]Q1CD\r\n]Q1CD\r\n"},
		{"none", []string{"AB", "CD"}, Options{Terminator: frame.None}, "ABCD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.opt.Gap = time.Microsecond
			if err := Write(context.Background(), &buf, tt.payloads, tt.opt); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Fatalf("wrote %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

// writeTimes records when each byte was written.
type writeTimes struct{ at []time.Time }

func (w *writeTimes) Write(p []byte) (int, error) {
	now := time.Now()
	for range p {
		w.at = append(w.at, now)
	}
	return len(p), nil
}

func TestWritePaces(t *testing.T) {
	for _, baud := range []int{9600, 115200} {
		var w writeTimes
		start := time.Now()
		payload := strings.Repeat("9", 40)
		if err := Write(context.Background(), &w, []string{payload}, Options{Baud: baud, Terminator: frame.CR}); err != nil {
			t.Fatal(err)
		}
		// Byte i may not leave before its time on the wire.
		per := ByteTime(baud)
		for i, at := range w.at {
			if early := start.Add(time.Duration(i) * per).Sub(at); early > 0 {
				t.Fatalf("%d baud: byte %d written %v early", baud, i, early)
			}
		}
		if len(w.at) != 41 {
			t.Fatalf("%d baud: wrote %d bytes", baud, len(w.at))
		}
	}
}

func TestWriteGapBetweenPayloads(t *testing.T) {
	var w writeTimes
	if err := Write(context.Background(), &w, []string{"A", "B"}, Options{Terminator: frame.None, Gap: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if gap := w.at[1].Sub(w.at[0]); gap < 20*time.Millisecond {
		t.Fatalf("gap %v", gap)
	}
}

func TestWriteCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, &bytes.Buffer{}, []string{"AB"}, Options{Baud: 9600}); err == nil {
		t.Fatal("cancelled write succeeded")
	}
	if err := Write(ctx, &bytes.Buffer{}, []string{"AB", "CD"}, Options{}); err == nil {
		t.Fatal("cancelled write succeeded")
	}
}

func TestReadPayloads(t *testing.T) {
	got, err := ReadPayloads(strings.NewReader("900101400003\r\n\nDC1:X Y\nlast"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "900101400003|DC1:X Y|last" {
		t.Fatalf("%q", got)
	}
	if _, err := ReadPayloads(strings.NewReader(strings.Repeat("x", MaxLine+1))); err == nil {
		t.Fatal("line over MaxLine accepted")
	}
}

// TestOpenPty writes through the serial code to a pseudo-terminal's slave,
// as `doorcheck sim --port /dev/pts/N` does, and reads it at the master.
func TestOpenPty(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer m.Close()
	defer s.Close()
	w, err := Open(s.Name(), 115200)
	if err != nil {
		t.Fatalf("open a pty slave as a serial port: %v", err)
	}
	if err := Write(context.Background(), w, []string{"900101400003"}, Options{Baud: 115200, Terminator: frame.CR}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close after drain: %v", err)
	}
	got := make([]byte, 13)
	if _, err := io.ReadFull(m, got); err != nil || string(got) != "900101400003\r" {
		t.Fatalf("master read %q, %v", got, err)
	}
	if _, err := Open("/nonexistent/tty", 9600); err == nil {
		t.Fatal("opened a missing port")
	}
}
