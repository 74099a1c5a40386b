package qrimage

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The benchmarks below decode the same 640×480 PNG frame holding one pass
// code: in process with gozxing, and with Debian's zbarimg as a
// subprocess, per image and amortised over 20 images per process. The
// zbarimg ones skip when zbarimg is not installed; nothing else needs it.
// testdata/bench_zbar.sh runs them all in one go and prints medians.

func BenchmarkDecode640x480(b *testing.B) {
	frame := pngOf(b, benchFrame(b))
	ctx := context.Background()
	for b.Loop() {
		got, err := Decode(ctx, bytes.NewReader(frame))
		if err != nil || len(got) != 1 || got[0] != passPayload {
			b.Fatal(got, err)
		}
	}
}

// BenchmarkDecodeImage640x480 leaves out the PNG decoding: the cost of
// finding and reading the code alone, as for a camera frame in memory.
func BenchmarkDecodeImage640x480(b *testing.B) {
	frame := benchFrame(b)
	ctx := context.Background()
	for b.Loop() {
		got, err := DecodeImage(ctx, frame)
		if err != nil || len(got) != 1 || got[0] != passPayload {
			b.Fatal(got, err)
		}
	}
}

// zbarFiles writes n copies of the benchmark frame and returns their paths.
func zbarFiles(b *testing.B, n int) (zbarimg string, files []string) {
	b.Helper()
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		b.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	frame := pngOf(b, benchFrame(b))
	dir := b.TempDir()
	for i := range n {
		f := filepath.Join(dir, "frame-"+string(rune('a'+i))+".png")
		if err := os.WriteFile(f, frame, 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, f)
	}
	return zbarimg, files
}

// runZbar runs zbarimg once over files and checks it read a pass in each.
func runZbar(b *testing.B, zbarimg string, files []string) {
	args := append([]string{"--raw", "-q"}, files...)
	out, err := exec.Command(zbarimg, args...).Output()
	if err != nil {
		b.Fatalf("zbarimg: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(files) || lines[0] != passPayload {
		b.Fatalf("zbarimg read %d of %d frames: %.40q", len(lines), len(files), out)
	}
}

// BenchmarkZbarimg640x480 is one zbarimg process per image, process start
// included: what a script calling zbarimg per file pays.
func BenchmarkZbarimg640x480(b *testing.B) {
	zbarimg, files := zbarFiles(b, 1)
	for b.Loop() {
		runZbar(b, zbarimg, files)
	}
}

// BenchmarkZbarimg640x480Batch20 is one zbarimg process over 20 copies of
// the image, reported per image (ns/image), which amortises start-up.
func BenchmarkZbarimg640x480Batch20(b *testing.B) {
	const n = 20
	zbarimg, files := zbarFiles(b, n)
	for b.Loop() {
		runZbar(b, zbarimg, files)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/image")
}
