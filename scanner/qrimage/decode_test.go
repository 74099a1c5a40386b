package qrimage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, p := range []string{passPayload, "900101400003", "DC1:A", "\x1b[2Jhello\x07", "Алматы, Абай 1", "https://hub.example/enroll?t=XYZ"} {
		var buf bytes.Buffer
		if err := EncodePNG(&buf, p, 400); err != nil {
			t.Fatalf("encode %q: %v", p, err)
		}
		got, err := decodeBytes(buf.Bytes())
		if err != nil || len(got) != 1 || got[0] != p {
			t.Errorf("round trip of %q: %q, %v", p, got, err)
		}
	}
}

func TestDecodeImages(t *testing.T) {
	frame := benchFrame(t)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, frame, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	inverted := image.NewGray(frame.Bounds())
	for i, v := range frame.Pix {
		inverted.Pix[i] = 255 - v
	}
	two := inFrame(mustEncode(t, "900101400003", 200), 540, 280, 20, 40)
	second := mustEncode(t, "DC1:SECOND", 200)
	draw.Draw(two, second.Bounds().Add(image.Pt(300, 30)), second, image.Point{}, draw.Src)
	stacked := inFrame(mustEncode(t, "DC1:BOTTOM", 200), 300, 520, 60, 300)
	top := mustEncode(t, "DC1:TOP", 200)
	draw.Draw(stacked, top.Bounds().Add(image.Pt(40, 20)), top, image.Point{}, draw.Src)

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"640x480 frame", pngOf(t, frame), passPayload},
		{"JPEG", jb.Bytes(), passPayload},
		{"inverted", pngOf(t, inverted), passPayload},
		{"two side by side, left first", pngOf(t, two), "900101400003|DC1:SECOND"},
		{"two stacked, top first", pngOf(t, stacked), "DC1:TOP|DC1:BOTTOM"},
	}
	for _, tt := range tests {
		got, err := decodeBytes(tt.data)
		if err != nil || strings.Join(got, "|") != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	noise := image.NewGray(image.Rect(0, 0, 320, 240))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.IntN(256))
	}
	if _, err := decodeBytes(pngOf(t, noise)); !errors.Is(err, ErrNoCode) {
		t.Errorf("noise: %v, want ErrNoCode", err)
	}
	blank := inFrame(image.NewGray(image.Rect(0, 0, 0, 0)), 64, 64, 0, 0)
	if _, err := decodeBytes(pngOf(t, blank)); !errors.Is(err, ErrNoCode) {
		t.Errorf("blank: %v, want ErrNoCode", err)
	}
	for _, data := range [][]byte{[]byte("not an image"), nil, pngOf(t, noise)[:100]} {
		if _, err := decodeBytes(data); err == nil || errors.Is(err, ErrNoCode) {
			t.Errorf("%.20q: %v, want a read error", data, err)
		}
	}
	// A PNG header claiming 100000×100000 pixels is refused before any
	// pixel is allocated.
	huge := pngOf(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	huge = bytes.Clone(huge)
	copy(huge[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	if _, err := decodeBytes(huge); err == nil || !strings.Contains(err.Error(), "out of bounds") {
		t.Errorf("huge: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Decode(ctx, bytes.NewReader(pngOf(t, benchFrame(t)))); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(pngOf(f, mustEncode(f, "900101400003", 100)))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("\xff\xd8\xff\xe0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(context.Background(), bytes.NewReader(data))
		if err == nil && len(got) == 0 {
			t.Fatal("no error and no payload")
		}
	})
}
