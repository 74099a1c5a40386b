package stream

import (
	"context"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
)

func TestStreamLines(t *testing.T) {
	scans := make(chan scanner.Scan, 10)
	events := make(chan scanner.Event, 10)
	in := "900101400003\nDC1:ABC\r\n" + strings.Repeat("x", 100) + "\nlast"
	src := New("stdin", strings.NewReader(in), frame.Options{Terminator: frame.LF, Max: 50})
	if err := src.Run(context.Background(), scans, events); err != nil {
		t.Fatal(err)
	}
	close(scans)
	var got []string
	for s := range scans {
		got = append(got, s.Payload)
	}
	if strings.Join(got, "|") != "900101400003|DC1:ABC|last" {
		t.Fatalf("%q", got)
	}
	if e := <-events; e.Kind != scanner.Dropped {
		t.Fatalf("event %+v", e)
	}
}
