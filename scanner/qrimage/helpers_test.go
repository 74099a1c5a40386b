package qrimage

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"testing"
)

// passPayload has the shape of a real pass: "DC1:" and 146 base45
// characters.
const passPayload = "DC1:X9P-34Y6N$3WD25RQ4F5ZR3 7E++$3 $P3E2Z8IQ9Y7 JZ/B6$ +CN6Z4 3*DV/YRKT$TNJFB:F5 JXVLSI%47WQAL9VQ2.4Z KL:M%V$T45HU:.43:J- /SIO.M1TMA*7V3DI8FPPV5ASPZHX"

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

func decodeBytes(b []byte) ([]string, error) {
	return Decode(context.Background(), bytes.NewReader(b))
}

// inFrame pastes img into a white width×height frame at (x, y), as a
// camera frame holding a pass might look.
func inFrame(img image.Image, width, height, x, y int) *image.Gray {
	frame := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(frame, img.Bounds().Add(image.Pt(x, y)), img, img.Bounds().Min, draw.Src)
	return frame
}

// benchFrame is the 640×480 frame the benchmarks decode: one pass code
// about 300 pixels wide, off centre.
func benchFrame(t testing.TB) *image.Gray {
	return inFrame(mustEncode(t, passPayload, 300), 640, 480, 170, 90)
}
