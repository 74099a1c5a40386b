package qrimage

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var framesOut = flag.String("frames-out", "", "write the benchmark's 640x480 frames into this directory")

// TestWriteBenchFrames writes the 640x480 frames BenchmarkDecode640x480
// decodes, so an external decoder (zbarimg) can be timed on the same
// images; see testdata/bench_zbar.sh. It does nothing without -frames-out.
func TestWriteBenchFrames(t *testing.T) {
	if *framesOut == "" {
		t.Skip("pass -frames-out DIR to write benchmark frames")
	}
	for i := 0; i < 20; i++ {
		payload := fmt.Sprintf("%s%02d", passPayload[:len(passPayload)-2], i)
		frame := inFrame(mustEncode(t, payload, 300), 640, 480, 100+i*5, 60+i*3)
		if err := os.WriteFile(filepath.Join(*framesOut, fmt.Sprintf("frame-%02d.png", i)), pngOf(t, frame), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
