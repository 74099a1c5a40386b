package qrimage

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// base45 is the QR alphanumeric alphabet that doorcheck passes are written in.
const base45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// passPayload is a pass-sized payload: "DC1:" and 146 base45 characters.
var passPayload = "DC1:" + base45Payload(146, 1)

// base45Payload returns n pseudo-random base45 characters chosen by seed.
func base45Payload(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 45))
	b := make([]byte, n)
	for i := range b {
		b[i] = base45[r.IntN(len(base45))]
	}
	return string(b)
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustEncode(t testing.TB, payload string, size int) image.Image {
	t.Helper()
	img, err := Encode(payload, size)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// whiteFrame returns a white width×height grayscale image.
func whiteFrame(width, height int) *image.Gray {
	frame := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return frame
}

// paste draws img into dst with its top-left corner at (x, y).
func paste(dst draw.Image, img image.Image, x, y int) {
	draw.Draw(dst, img.Bounds().Sub(img.Bounds().Min).Add(image.Pt(x, y)), img, img.Bounds().Min, draw.Src)
}

// inFrame pastes img into a white width×height frame at (x, y).
func inFrame(img image.Image, width, height, x, y int) *image.Gray {
	frame := whiteFrame(width, height)
	paste(frame, img, x, y)
	return frame
}

// inverted returns img with every gray level inverted.
func inverted(img image.Image) *image.Gray {
	out := image.NewGray(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	for i, v := range out.Pix {
		out.Pix[i] = 255 - v
	}
	return out
}

func decodeFileBytes(t testing.TB, b []byte) ([]string, error) {
	t.Helper()
	return Decode(context.Background(), bytes.NewReader(b))
}

func TestDecode(t *testing.T) {
	twoCodes := func(t testing.TB) []byte {
		frame := whiteFrame(520, 260)
		// The right-hand code sits a few pixels higher: reading order must
		// still be left to right.
		paste(frame, mustEncode(t, "900101400003", 200), 20, 34)
		paste(frame, mustEncode(t, "DC1:SECOND", 200), 290, 30)
		return pngOf(t, frame)
	}
	stacked := func(t testing.TB) []byte {
		frame := whiteFrame(260, 480)
		paste(frame, mustEncode(t, "DC1:BELOW", 200), 40, 250)
		paste(frame, mustEncode(t, "DC1:ABOVE", 200), 20, 20)
		return pngOf(t, frame)
	}
	duplicate := func(t testing.TB) []byte {
		frame := whiteFrame(520, 260)
		paste(frame, mustEncode(t, "DC1:SAME", 200), 20, 30)
		paste(frame, mustEncode(t, "DC1:SAME", 200), 290, 30)
		return pngOf(t, frame)
	}
	tests := []struct {
		name string
		file func(testing.TB) []byte
		want []string
	}{
		{"pass PNG", func(t testing.TB) []byte {
			var buf bytes.Buffer
			if err := EncodePNG(&buf, passPayload, 400); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}, []string{passPayload}},
		{"IIN", func(t testing.TB) []byte { return pngOf(t, mustEncode(t, "900101400003", 200)) }, []string{"900101400003"}},
		// Decode returns control characters untouched; escaping them is
		// the caller's job.
		{"ESC bytes", func(t testing.TB) []byte { return pngOf(t, mustEncode(t, "\x1b[2J", 200)) }, []string{"\x1b[2J"}},
		{"UTF-8", func(t testing.TB) []byte { return pngOf(t, mustEncode(t, "Алматы ✓", 300)) }, []string{"Алматы ✓"}},
		{"one pixel per module", func(t testing.TB) []byte { return pngOf(t, mustEncode(t, "900101400003", 0)) }, []string{"900101400003"}},
		{"inverted", func(t testing.TB) []byte { return pngOf(t, inverted(mustEncode(t, passPayload, 300))) }, []string{passPayload}},
		{"JPEG quality 90", func(t testing.TB) []byte {
			return jpegOf(t, inFrame(mustEncode(t, passPayload, 300), 640, 480, 170, 90))
		}, []string{passPayload}},
		{"640x480 frame at offset", func(t testing.TB) []byte {
			return pngOf(t, inFrame(mustEncode(t, passPayload, 300), 640, 480, 37, 151))
		}, []string{passPayload}},
		{"inverted 640x480 frame", func(t testing.TB) []byte {
			return pngOf(t, inverted(inFrame(mustEncode(t, passPayload, 300), 640, 480, 170, 90)))
		}, []string{passPayload}},
		{"two codes side by side", twoCodes, []string{"900101400003", "DC1:SECOND"}},
		{"two codes stacked", stacked, []string{"DC1:ABOVE", "DC1:BELOW"}},
		{"same code twice", duplicate, []string{"DC1:SAME"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeFileBytes(t, tt.file(t))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Decode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	noise := func(t testing.TB) []byte {
		r := rand.New(rand.NewPCG(1, 2))
		img := image.NewGray(image.Rect(0, 0, 200, 200))
		for i := range img.Pix {
			img.Pix[i] = uint8(r.IntN(256))
		}
		return pngOf(t, img)
	}
	tests := []struct {
		name     string
		file     func(testing.TB) []byte
		noCode   bool // want ErrNoCode rather than some other error
		contains string
	}{
		{"random noise", noise, true, ""},
		{"blank white", func(t testing.TB) []byte { return pngOf(t, whiteFrame(64, 64)) }, true, ""},
		{"not an image", func(testing.TB) []byte { return []byte("not an image") }, false, "decoding image"},
		{"empty file", func(testing.TB) []byte { return nil }, false, "decoding image"},
		{"truncated PNG", func(t testing.TB) []byte {
			b := pngOf(t, mustEncode(t, "900101400003", 200))
			return b[:len(b)/2]
		}, false, "decoding image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeFileBytes(t, tt.file(t))
			if err == nil {
				t.Fatalf("Decode = %q, want error", got)
			}
			if errors.Is(err, ErrNoCode) != tt.noCode {
				t.Fatalf("Decode error %v; ErrNoCode wanted: %v", err, tt.noCode)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("Decode error %q does not mention %q", err, tt.contains)
			}
		})
	}
}

func TestDecodeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	file := pngOf(t, mustEncode(t, "900101400003", 200))
	if _, err := Decode(ctx, bytes.NewReader(file)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Decode with cancelled context: %v", err)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		size    int
		wantErr bool
	}{
		{"pass", passPayload, 300, false},
		{"IIN", "900101400003", 200, false},
		{"size 0", "900101400003", 0, false},
		{"too small size grows", passPayload, 10, false},
		{"empty payload", "", 200, true},
		{"negative size", "900101400003", -1, true},
		{"too long", strings.Repeat("\x01", 4000), 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Encode(tt.payload, tt.size)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Encode succeeded, want error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != b.Dy() || b.Dx() < tt.size {
				t.Fatalf("image is %dx%d, want square of at least %d", b.Dx(), b.Dy(), tt.size)
			}
			// The quiet zone makes the corners white.
			if g := color.GrayModel.Convert(img.At(b.Min.X, b.Min.Y)).(color.Gray); g.Y != 0xff {
				t.Fatalf("top-left pixel is %d, want white", g.Y)
			}
		})
	}
}

func TestMatrix(t *testing.T) {
	tests := []struct {
		payload string
		quiet   int
		modules int // modules per side without the quiet zone
	}{
		{"900101400003", 0, 21}, // version 1
		{"900101400003", 2, 21},
		{"900101400003", 4, 21},
		{passPayload, 2, 41}, // version 6-M holds 154 alphanumeric characters
	}
	for _, tt := range tests {
		m, err := Matrix(tt.payload, tt.quiet)
		if err != nil {
			t.Fatal(err)
		}
		want := tt.modules + 2*tt.quiet
		if len(m) != want {
			t.Fatalf("Matrix(%.12q, %d) has %d rows, want %d", tt.payload, tt.quiet, len(m), want)
		}
		for y, row := range m {
			if len(row) != want {
				t.Fatalf("row %d has %d modules, want %d", y, len(row), want)
			}
			for x, dark := range row {
				inQuiet := x < tt.quiet || y < tt.quiet || x >= want-tt.quiet || y >= want-tt.quiet
				if inQuiet && dark {
					t.Fatalf("dark module (%d,%d) in the quiet zone", x, y)
				}
			}
		}
		// The top-left finder pattern's corner is dark.
		if !m[tt.quiet][tt.quiet] {
			t.Fatalf("finder pattern corner is light")
		}
	}
	if _, err := Matrix("x", -1); err == nil {
		t.Fatal("negative quiet zone accepted")
	}
}

func TestRenderHalfBlocks(t *testing.T) {
	for _, payload := range []string{"900101400003", passPayload, "\x1b[2J"} {
		art, err := RenderHalfBlocks(payload)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(art, "\n") {
			t.Fatalf("output does not end in a newline")
		}
		m, _ := Matrix(payload, 2)
		lines := strings.Split(strings.TrimSuffix(art, "\n"), "\n")
		if want := (len(m) + 1) / 2; len(lines) != want {
			t.Fatalf("%d lines, want %d", len(lines), want)
		}
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n != len(m) {
				t.Fatalf("line %d is %d runes wide, want %d", i, n, len(m))
			}
			if strings.Trim(l, "█▀▄ ") != "" {
				t.Fatalf("line %d has other characters: %q", i, l)
			}
			// Each cell must match the two modules it stands for, light
			// modules drawn.
			for x, r := range []rune(l) {
				up := !m[2*i][x]
				down := 2*i+1 < len(m) && !m[2*i+1][x]
				want := map[[2]bool]rune{{true, true}: '█', {true, false}: '▀', {false, true}: '▄', {false, false}: ' '}[[2]bool{up, down}]
				if r != want {
					t.Fatalf("line %d column %d is %q, want %q", i, x, r, want)
				}
			}
		}
		// The 2-module quiet zone fills the first line with light blocks.
		if lines[0] != strings.Repeat("█", len(m)) {
			t.Fatalf("first line is not all light: %q", lines[0])
		}
	}
	if _, err := RenderHalfBlocks(""); err == nil {
		t.Fatal("empty payload rendered")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(pngOf(f, mustEncode(f, "900101400003", 100)))
	f.Add(jpegOf(f, mustEncode(f, "900101400003", 100)))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("\xff\xd8\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(context.Background(), bytes.NewReader(data))
		if err == nil && len(got) == 0 {
			t.Fatal("Decode returned neither payloads nor an error")
		}
	})
}
