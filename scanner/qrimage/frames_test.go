package qrimage

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var framesOut = flag.String("out", "", "TestWriteBenchFrames: write the benchmark's 640x480 PNG frames into this directory")

// benchFrameCount is the number of distinct frames BenchmarkDecode640x480
// cycles through and TestWriteBenchFrames writes.
const benchFrameCount = 20

// benchFrames returns the PNG files of the 640x480 benchmark frames: each
// holds one 300-pixel pass-sized code (a different payload per frame) at a
// different offset in an otherwise white frame.
func benchFrames(t testing.TB) [][]byte {
	t.Helper()
	files := make([][]byte, benchFrameCount)
	payloads := make([]string, benchFrameCount)
	for i := range files {
		payloads[i] = "DC1:" + base45Payload(146, uint64(100+i))
		img := mustEncode(t, payloads[i], 300)
		files[i] = pngOf(t, inFrame(img, 640, 480, 100+i*7, 60+i*4))
	}
	return files
}

// TestWriteBenchFrames writes the frames BenchmarkDecode640x480 decodes, so
// that an external decoder (zbarimg) can be timed on the very same files;
// see testdata/bench_zbar.sh. It is skipped unless -out DIR is given.
func TestWriteBenchFrames(t *testing.T) {
	if *framesOut == "" {
		t.Skip("pass -args -out DIR to write the benchmark frames")
	}
	for i, file := range benchFrames(t) {
		name := filepath.Join(*framesOut, fmt.Sprintf("frame-%02d.png", i))
		if err := os.WriteFile(name, file, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkDecode640x480 decodes 640x480 PNG frames holding one pass-sized
// QR code each, from the file bytes (PNG decoding included). Iterations
// cycle through the same 20 frames TestWriteBenchFrames writes, so ns/op is
// the mean time per image.
func BenchmarkDecode640x480(b *testing.B) {
	files := benchFrames(b)
	// Decode each frame once up front: the benchmark must time successful
	// decodes only.
	want := make([]string, len(files))
	for i, f := range files {
		got, err := Decode(context.Background(), bytes.NewReader(f))
		if err != nil || len(got) != 1 {
			b.Fatalf("frame %d: %q, %v", i, got, err)
		}
		want[i] = got[0]
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		got, err := Decode(ctx, bytes.NewReader(files[i]))
		if err != nil || len(got) != 1 || got[0] != want[i] {
			b.Fatalf("frame %d: %q, %v", i, got, err)
		}
		i = (i + 1) % len(files)
	}
}
