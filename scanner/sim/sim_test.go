package sim

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/scanner/frame"
)

func TestByteTime(t *testing.T) {
	if got := ByteTime(9600); got != 1041666*time.Nanosecond {
		t.Errorf("9600 baud: %v", got)
	}
	if got := ByteTime(115200); got != 86805*time.Nanosecond {
		t.Errorf("115200 baud: %v", got)
	}
}

func TestWriteFramesAndPaces(t *testing.T) {
	var buf bytes.Buffer
	start := time.Now()
	err := Write(context.Background(), &buf, []string{"AB", "CD"}, Options{Baud: 9600, Terminator: frame.CRLF, Gap: time.Millisecond, Prefix: "]Q1", Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := "]Q1AB\r\n]Q1AB\r\n]Q1CD\r\n]Q1CD\r\n"
	if buf.String() != want {
		t.Fatalf("wrote %q, want %q", buf.String(), want)
	}
	// 28 bytes at 9600 baud take at least 27 byte times on the wire.
	if el := time.Since(start); el < 27*ByteTime(9600) {
		t.Fatalf("wrote in %v: not paced", el)
	}
}

func TestWriteCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, &bytes.Buffer{}, []string{"AB"}, Options{Baud: 9600}); err == nil {
		t.Fatal("cancelled write succeeded")
	}
}
