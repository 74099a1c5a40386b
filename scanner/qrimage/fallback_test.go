package qrimage

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ieCases holds Ireland's EU COVID certificates printed as Aztec codes,
// with the matching test cases (their PREFIX is the code's text).
const ieCases = "../../../shared/testdata/dcc/IE"

// TestDecodeAztec: the four real Aztec-printed certificates read, each as
// exactly its test case's HC1 text.
func TestDecodeAztec(t *testing.T) {
	for i := 1; i <= 4; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(ieCases, "png", fmt.Sprintf("%d_aztec.png", i)))
			if err != nil {
				t.Skipf("shared Aztec images: %v", err)
			}
			var c struct{ PREFIX string }
			raw, err := os.ReadFile(filepath.Join(ieCases, "2DCode", "Raw", fmt.Sprintf("%d.json", i)))
			if err != nil || json.Unmarshal(raw, &c) != nil || !strings.HasPrefix(c.PREFIX, "HC1:") {
				t.Fatalf("case %d: %v", i, err)
			}
			got, err := decodeBytes(b)
			if err != nil || len(got) != 1 || got[0] != c.PREFIX {
				t.Errorf("decoded %q, %v; want the case's PREFIX", got, err)
			}
		})
	}
}

// TestDecodeBorderless: a QR code drawn with no quiet zone at all, as some
// renderers do, reads through the pure-barcode pass.
func TestDecodeBorderless(t *testing.T) {
	payload := "HC1:" + strings.Repeat("6BFOXN%TSMAHN-H", 20)
	m, err := Matrix(payload, 0)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 4
	img := image.NewGray(image.Rect(0, 0, len(m)*scale, len(m)*scale))
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			if !m[y/scale][x/scale] {
				img.Pix[img.PixOffset(x, y)] = 0xff
			}
		}
	}
	got, err := DecodeImage(context.Background(), img)
	if err != nil || len(got) != 1 || got[0] != payload {
		t.Errorf("decoded %q, %v", got, err)
	}
}
