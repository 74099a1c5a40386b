package qrimage

import (
	"image"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

func TestEncodeModes(t *testing.T) {
	tests := []struct {
		payload string
		mode    *decoder.Mode
		version int
	}{
		{"900101400003", decoder.Mode_NUMERIC, 1},
		{"DC1:A", decoder.Mode_ALPHANUMERIC, 1},
		{passPayload, decoder.Mode_ALPHANUMERIC, 6}, // 150 characters: 41×41 modules
		{"dc1:a", decoder.Mode_BYTE, 1},
		{"Алматы", decoder.Mode_BYTE, 1},
	}
	for _, tt := range tests {
		c, err := code(tt.payload)
		if err != nil {
			t.Fatal(err)
		}
		if c.GetMode() != tt.mode || c.GetVersion().GetVersionNumber() != tt.version || c.GetECLevel() != decoder.ErrorCorrectionLevel_M {
			t.Errorf("%.20q: %v version %d level %v, want %v version %d level M",
				tt.payload, c.GetMode(), c.GetVersion().GetVersionNumber(), c.GetECLevel(), tt.mode, tt.version)
		}
	}
	if _, err := code(""); err == nil {
		t.Error("empty payload encoded")
	}
	if _, err := code(strings.Repeat("A", 5000)); err == nil {
		t.Error("5000 characters encoded")
	}
}

func TestEncodeGeometry(t *testing.T) {
	m, err := Matrix("DC1:A", 0)
	if err != nil {
		t.Fatal(err)
	}
	n := len(m) + 2*QuietZone // 21 + 8 = 29 modules
	for _, tt := range []struct{ size, want int }{{0, n}, {28, n}, {29, 29}, {300, 290}, {318, 290}, {319, 319}} {
		img := mustEncode(t, "DC1:A", tt.size)
		if b := img.Bounds(); b != image.Rect(0, 0, tt.want, tt.want) {
			t.Errorf("size %d: bounds %v, want %d square", tt.size, b, tt.want)
		}
	}
	// At 10 pixels a module, the quiet zone is 40 white pixels, and the
	// finder pattern's corner is black just inside it.
	g := mustEncode(t, "DC1:A", 290).(*image.Gray)
	for i := 0; i < QuietZone*10; i++ {
		for _, p := range []image.Point{{i, i}, {i, 145}, {289 - i, 145}, {145, 289 - i}} {
			if g.GrayAt(p.X, p.Y).Y != 0xff {
				t.Fatalf("quiet zone pixel %v is not white", p)
			}
		}
	}
	if g.GrayAt(40, 40).Y != 0 || g.GrayAt(249, 40).Y != 0 {
		t.Fatal("finder pattern corners are not black")
	}
}

func TestPassPayloadShape(t *testing.T) {
	if len(passPayload) != 150 {
		t.Fatalf("passPayload is %d bytes, want 4+146", len(passPayload))
	}
}
