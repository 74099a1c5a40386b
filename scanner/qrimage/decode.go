// Package qrimage reads QR codes from image files and draws them: as PNG
// for printing passes, venue door codes and enrollment codes, and as
// half-block characters for a terminal. It wraps gozxing (pure Go), so a
// kiosk needs no zbar and no cgo. docs/qr.md describes the formats.
package qrimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // Decode reads JPEG files
	_ "image/png"  // and PNG files
	"io"
	"sort"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNoCode means the image was read but holds no readable QR code. The
// CLI exits non-zero on it.
var ErrNoCode = errors.New("no readable QR code in the image")

// Bounds on what Decode accepts, so a hostile file cannot make it
// allocate without limit: the file's size, and the decoded image's pixel
// count (about 40 megapixels, a large phone photo).
const (
	maxFileSize = 64 << 20
	maxPixels   = 40_000_000
)

// Decode returns the payloads of every QR code in a PNG or JPEG image,
// top to bottom and left to right, each payload once. Light-on-dark
// (inverted) codes are found too, when the image holds no dark-on-light
// one. An image with no readable code gives ErrNoCode; a file that is not
// an image gives another error.
//
// Payloads are raw, untrusted bytes: escape them with sanitize.Escape
// before showing them.
func Decode(ctx context.Context, r io.Reader) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("read image: file over %d MiB", maxFileSize>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPixels/max(cfg.Height, 1) {
		return nil, fmt.Errorf("read %s image: %dx%d pixels is out of bounds", format, cfg.Width, cfg.Height)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode %s image: %w", format, err)
	}
	return DecodeImage(ctx, img)
}

// DecodeImage finds every QR code in an image already in memory, as
// Decode does. ctx is checked between passes over the image; one pass
// (a few milliseconds for a camera frame) cannot be interrupted.
func DecodeImage(ctx context.Context, img image.Image) (payloads []string, err error) {
	defer func() {
		// gozxing is a port of Java code that panics on some malformed
		// input; an image must cost an error, never the kiosk.
		if p := recover(); p != nil {
			payloads, err = nil, fmt.Errorf("decode QR: decoder failed on this image: %v", p)
		}
	}()
	src := gozxing.NewLuminanceSourceFromImage(img)
	for _, s := range []gozxing.LuminanceSource{src, gozxing.NewInvertedLuminanceSource(src)} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if found := decodeSource(s); len(found) > 0 {
			return found, nil
		}
	}
	return nil, ErrNoCode
}

// decodeSource runs the multi-code reader over one luminance source, and
// the single-code reader when it finds nothing: the multi reader misses
// some codes the plain reader finds, such as a code filling the frame.
func decodeSource(src gozxing.LuminanceSource) []string {
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil
	}
	results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil || len(results) == 0 {
		r, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err != nil {
			return decodeFallback(bmp)
		}
		results = []*gozxing.Result{r}
	}
	return inReadingOrder(results)
}

// inReadingOrder returns the results' texts top to bottom, then left to
// right, each text once. Codes whose tops are within rowSlack pixels count
// as one row, so two codes side by side keep their left-right order.
func inReadingOrder(results []*gozxing.Result) []string {
	const rowSlack = 20
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
		for i, p := range r.GetResultPoints() {
			if i == 0 || p.GetX() < f.x {
				f.x = p.GetX()
			}
			if i == 0 || p.GetY() < f.y {
				f.y = p.GetY()
			}
		}
		fs = append(fs, f)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if d := fs[i].y - fs[j].y; d < -rowSlack || d > rowSlack {
			return d < 0
		}
		return fs[i].x < fs[j].x
	})
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.text
	}
	return out
}
