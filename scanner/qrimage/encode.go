package qrimage

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// QuietZone is the light border Encode draws around a code, in modules:
// the four the QR standard asks for, so any reader finds the code on a
// printed page.
const QuietZone = 4

// code encodes payload with error correction level M (about 15 % of the
// code can be lost), in the most compact single mode that holds it:
// numeric for an IIN, alphanumeric for a pass (uppercase base45 is inside
// the QR alphanumeric set), bytes otherwise. Byte-mode text that is not
// ASCII is marked as UTF-8 with an ECI header, so readers do not take it
// for ISO-8859-1.
func code(payload string) (*encoder.QRCode, error) {
	if payload == "" {
		return nil, errors.New("encode QR: empty payload")
	}
	hints := map[gozxing.EncodeHintType]interface{}{}
	if !isASCII(payload) {
		hints[gozxing.EncodeHintType_CHARACTER_SET] = "UTF-8"
	}
	c, err := encoder.Encoder_encode(payload, decoder.ErrorCorrectionLevel_M, hints)
	if err != nil {
		return nil, fmt.Errorf("encode QR: %w", err)
	}
	return c, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Matrix returns payload's QR code as rows of modules, true for dark,
// with quiet light modules on every side.
func Matrix(payload string, quiet int) ([][]bool, error) {
	c, err := code(payload)
	if err != nil {
		return nil, err
	}
	quiet = max(quiet, 0)
	bm := c.GetMatrix()
	n := bm.GetWidth()
	m := make([][]bool, n+2*quiet)
	for y := range m {
		m[y] = make([]bool, n+2*quiet)
		if y < quiet || y >= n+quiet {
			continue
		}
		for x := range n {
			m[y][x+quiet] = bm.Get(x, y-quiet) == 1
		}
	}
	return m, nil
}

// Encode draws payload's QR code black on white, with a QuietZone-module
// border, at the largest whole number of pixels per module that keeps the
// image within size pixels square, and never below one pixel per module
// (so a small size gives the smallest exact image). Whole pixels per
// module keep every module's edges sharp for printers and cameras.
func Encode(payload string, size int) (image.Image, error) {
	m, err := Matrix(payload, QuietZone)
	if err != nil {
		return nil, err
	}
	n := len(m)
	scale := max(size/n, 1)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				off := img.PixOffset(x*scale, y*scale+dy)
				clear(img.Pix[off : off+scale])
			}
		}
	}
	return img, nil
}

// EncodePNG writes payload's QR code as a PNG image, as Encode draws it.
func EncodePNG(w io.Writer, payload string, size int) error {
	img, err := Encode(payload, size)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("write QR PNG: %w", err)
	}
	return nil
}
