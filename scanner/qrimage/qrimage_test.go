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
	"strings"
	"testing"
	"unicode/utf8"
)

const passPayload = "DC1:%60.ZENDJRVLRVLRVLRVLRVLRVLRVL6ULU$AF20U$AY20-Q4*30UU554O1$DQZPVK9A*9+*P/-A85A4LOU$CF5IZY48NLYH0DF8*3BZPJ3 3543H2NGT5Y22LP5F6V10DOMSVP4UTPMFWWOIB0"

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
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

func decodeBytes(t testing.TB, b []byte) ([]string, error) {
	t.Helper()
	return Decode(context.Background(), bytes.NewReader(b))
}

func TestRoundTrip(t *testing.T) {
	for _, p := range []string{passPayload, "900101400003", "\x1b[2Jhello", "Алматы"} {
		var buf bytes.Buffer
		if err := EncodePNG(&buf, p, 400); err != nil {
			t.Fatal(err)
		}
		got, err := decodeBytes(t, buf.Bytes())
		if err != nil || len(got) != 1 || got[0] != p {
			t.Fatalf("round trip of %q: %q, %v", p, got, err)
		}
	}
}

// inFrame pastes img into a white width×height frame at (x, y).
func inFrame(img image.Image, width, height, x, y int) *image.Gray {
	frame := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(frame, img.Bounds().Add(image.Pt(x, y)), img, img.Bounds().Min, draw.Src)
	return frame
}

func TestFrameJPEGAndInverted(t *testing.T) {
	frame := inFrame(mustEncode(t, passPayload, 300), 640, 480, 170, 90)
	if got, err := decodeBytes(t, pngOf(t, frame)); err != nil || got[0] != passPayload {
		t.Fatalf("640x480 frame: %q %v", got, err)
	}
	var jb bytes.Buffer
	jpeg.Encode(&jb, frame, &jpeg.Options{Quality: 90})
	if got, err := decodeBytes(t, jb.Bytes()); err != nil || got[0] != passPayload {
		t.Fatalf("JPEG: %q %v", got, err)
	}
	inv := image.NewGray(frame.Bounds())
	for i, v := range frame.Pix {
		inv.Pix[i] = 255 - v
	}
	if got, err := decodeBytes(t, pngOf(t, inv)); err != nil || got[0] != passPayload {
		t.Fatalf("inverted: %q %v", got, err)
	}
}

func TestTwoCodes(t *testing.T) {
	a, b := mustEncode(t, "900101400003", 200), mustEncode(t, "DC1:SECOND", 200)
	frame := inFrame(a, 520, 260, 20, 30)
	draw.Draw(frame, b.Bounds().Add(image.Pt(290, 30)), b, image.Point{}, draw.Src)
	got, err := decodeBytes(t, pngOf(t, frame))
	if err != nil || strings.Join(got, ",") != "900101400003,DC1:SECOND" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestNoCode(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	noise := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.IntN(256))
	}
	if _, err := decodeBytes(t, pngOf(t, noise)); !errors.Is(err, ErrNoCode) {
		t.Fatalf("noise: %v", err)
	}
	if _, err := decodeBytes(t, []byte("not an image")); err == nil || errors.Is(err, ErrNoCode) {
		t.Fatalf("garbage: %v", err)
	}
}

func TestRenderHalfBlocks(t *testing.T) {
	art, err := RenderHalfBlocks(passPayload)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(art, "\n"), "\n")
	width := utf8.RuneCountInString(lines[0])
	for i, l := range lines {
		if utf8.RuneCountInString(l) != width {
			t.Fatalf("line %d is %d wide, want %d", i, utf8.RuneCountInString(l), width)
		}
		if strings.Trim(l, "█▀▄ ") != "" {
			t.Fatalf("line %d has other characters: %q", i, l)
		}
	}
	if lines[0] != strings.Repeat("█", width) {
		t.Fatal("quiet zone must be light (blocks) on top")
	}
	if _, err := RenderHalfBlocks(""); err == nil {
		t.Fatal("empty payload rendered")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(pngOf(f, mustEncode(f, "900101400003", 100)))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Decode(context.Background(), bytes.NewReader(data))
	})
}

func BenchmarkDecode640x480(b *testing.B) {
	frame := pngOf(b, inFrame(mustEncode(b, passPayload, 300), 640, 480, 170, 90))
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if got, err := Decode(context.Background(), bytes.NewReader(frame)); err != nil || got[0] != passPayload {
			b.Fatal(got, err)
		}
	}
}
