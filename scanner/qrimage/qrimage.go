// Package qrimage reads QR codes from image files and draws them: as PNG
// for printing passes, venue door codes and enrollment codes, and as
// half-block characters for a terminal. It wraps gozxing (pure Go), so a
// kiosk needs no zbar or cgo.
package qrimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // decode JPEG files
	"image/png"
	"io"
	"sort"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNoCode means the image holds no readable QR code.
var ErrNoCode = errors.New("no readable QR code in the image")

// maxPixels bounds the images Decode accepts (about 40 megapixels), so a
// hostile file cannot make it allocate without limit.
const maxPixels = 40_000_000

// maxFileSize bounds the image files Decode reads.
const maxFileSize = 64 << 20

// Decode returns the payloads of every QR code in a PNG or JPEG image, top
// left first. Light-on-dark (inverted) codes are found too. Payloads are
// raw: escape them before showing them.
func Decode(ctx context.Context, r io.Reader) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("image file over %d MiB", maxFileSize>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	if cfg.Width*cfg.Height > maxPixels {
		return nil, fmt.Errorf("%s image of %dx%d is too large", format, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode %s image: %w", format, err)
	}
	return DecodeImage(ctx, img)
}

// DecodeImage finds every QR code in an image.
func DecodeImage(ctx context.Context, img image.Image) (payloads []string, err error) {
	defer func() {
		// gozxing is a port of Java code; a malformed image must cost an
		// error, never the kiosk.
		if p := recover(); p != nil {
			payloads, err = nil, fmt.Errorf("QR decoder failed on this image: %v", p)
		}
	}()
	src := gozxing.NewLuminanceSourceFromImage(img)
	for _, s := range []gozxing.LuminanceSource{src, gozxing.NewInvertedLuminanceSource(src)} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		found := decodeSource(s)
		if len(found) > 0 {
			return found, nil
		}
	}
	return nil, ErrNoCode
}

func decodeSource(src gozxing.LuminanceSource) []string {
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil
	}
	results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil || len(results) == 0 {
		// The multi reader misses some single codes the plain reader
		// finds (for example, codes filling the frame).
		r, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err != nil {
			return nil
		}
		results = []*gozxing.Result{r}
	}
	type found struct {
		text string
		x, y float64
	}
	var fs []found
	seen := map[string]bool{}
	for _, r := range results {
		if seen[r.GetText()] {
			continue
		}
		seen[r.GetText()] = true
		f := found{text: r.GetText()}
		if pts := r.GetResultPoints(); len(pts) > 0 {
			f.x, f.y = pts[0].GetX(), pts[0].GetY()
			for _, p := range pts {
				f.x, f.y = min(f.x, p.GetX()), min(f.y, p.GetY())
			}
		}
		fs = append(fs, f)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].y != fs[j].y && abs(fs[i].y-fs[j].y) > 20 {
			return fs[i].y < fs[j].y
		}
		return fs[i].x < fs[j].x
	})
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.text
	}
	return out
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// Matrix returns the QR code's modules, true for dark, with a quiet zone
// of quiet modules on every side. Payloads in the QR alphanumeric set
// (every doorcheck pass) are encoded in alphanumeric mode; error
// correction is level M.
func Matrix(payload string, quiet int) ([][]bool, error) {
	bm, err := encode(payload, 0, quiet)
	if err != nil {
		return nil, err
	}
	w, h := bm.GetWidth(), bm.GetHeight()
	m := make([][]bool, h)
	for y := range h {
		m[y] = make([]bool, w)
		for x := range w {
			m[y][x] = bm.Get(x, y)
		}
	}
	return m, nil
}

func encode(payload string, size, quiet int) (*gozxing.BitMatrix, error) {
	if payload == "" {
		return nil, errors.New("encode QR: empty payload")
	}
	hints := map[gozxing.EncodeHintType]interface{}{
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           quiet,
	}
	if !isASCII(payload) {
		hints[gozxing.EncodeHintType_CHARACTER_SET] = "UTF-8"
	}
	bm, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, size, size, hints)
	if err != nil {
		return nil, fmt.Errorf("encode QR: %w", err)
	}
	return bm, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Encode renders payload as a black-on-white image about size pixels
// square (never smaller than one pixel per module), with a quiet zone of
// four modules.
func Encode(payload string, size int) (image.Image, error) {
	bm, err := encode(payload, size, 4)
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, bm.GetWidth(), bm.GetHeight()))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for y := 0; y < bm.GetHeight(); y++ {
		for x := 0; x < bm.GetWidth(); x++ {
			if bm.Get(x, y) {
				img.SetGray(x, y, color.Gray{Y: 0})
			}
		}
	}
	return img, nil
}

// EncodePNG writes payload as a PNG QR code about size pixels square.
func EncodePNG(w io.Writer, payload string, size int) error {
	img, err := Encode(payload, size)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("write PNG: %w", err)
	}
	return nil
}

// RenderHalfBlocks draws payload's QR code for a terminal: each character
// cell holds two module rows (▀ upper, ▄ lower, █ both, space neither).
// Light modules are drawn as blocks and dark modules as spaces, so the code
// reads correctly on the usual light-text-on-dark-background terminal,
// with a two-module light quiet zone.
func RenderHalfBlocks(payload string) (string, error) {
	m, err := Matrix(payload, 2)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for y := 0; y < len(m); y += 2 {
		for x := range m[y] {
			top := !m[y][x]
			bottom := y+1 < len(m) && !m[y+1][x]
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
