// Package qrimage reads QR codes from image files and draws them: as PNG
// for printing passes, venue door codes and enrollment codes, and as
// half-block characters for a terminal.
//
// Decoding and encoding are built on github.com/makiuchi-d/gozxing, a pure Go
// port of ZXing, so a kiosk needs neither zbar nor cgo. Decode accepts PNG and JPEG input, finds every QR code in the
// image (including light-on-dark codes) and returns the payloads in reading
// order. Encode and EncodePNG produce a code with error correction level M and
// the standard 4-module quiet zone. RenderHalfBlocks draws a code with Unicode
// half-block characters for display in a terminal.
//
// The package holds no mutable package-level state; all functions are safe
// for concurrent use.
package qrimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // register the JPEG decoder for Decode
	"image/png"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNoCode is returned by Decode when the image was read successfully but
// contains no readable QR code.
var ErrNoCode = errors.New("qrimage: no readable QR code in image")

// maxPixels bounds the size of an image Decode is willing to process. It
// protects against decompression bombs: image headers that declare huge
// dimensions in a few bytes.
const maxPixels = 40_000_000

// maxFileSize bounds the size of an image file Decode reads.
const maxFileSize = 64 << 20

// Decode reads a PNG or JPEG image from r and returns the payload of every QR
// code it contains.
//
// Payloads are returned as decoded by the code's character set (byte-mode
// data without an ECI designator is interpreted the way ZXing does, which
// leaves ASCII, including control characters such as ESC, untouched). Decode
// does not sanitise the payloads: callers that print them to a terminal or
// embed them elsewhere must escape them themselves.
//
// The results are deduplicated (a payload appearing in several codes is
// returned once) and ordered in reading order: codes whose tops lie on
// roughly the same line are ordered left to right, lines top to bottom.
//
// Dark-on-light codes are tried first; if none is found the image's
// luminance is inverted and the search is repeated, so light-on-dark codes
// are found too. If the image holds no readable code, Decode returns
// ErrNoCode. Errors reading or decoding the image file itself are returned
// as such, as are files over 64 MiB and images over 40 megapixels, which
// Decode rejects before decoding them. Decode never panics: a panic inside the QR decoder is recovered
// and reported as an error.
//
// ctx is checked between decoding passes; if it is cancelled Decode returns
// ctx.Err(). A single pass is not interruptible.
func Decode(ctx context.Context, r io.Reader) (payloads []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("qrimage: reading image: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("qrimage: image file larger than %d MiB", maxFileSize>>20)
	}
	return decodeFile(ctx, data)
}

// decodeFile implements Decode for an image file already held in memory.
func decodeFile(ctx context.Context, data []byte) (payloads []string, err error) {
	defer func() {
		// gozxing is a port of Java code and the image decoders see hostile
		// input; a malformed file must cost an error, never the kiosk.
		if p := recover(); p != nil {
			payloads, err = nil, fmt.Errorf("qrimage: decoder failed on this image: %v", p)
		}
	}()

	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("qrimage: decoding image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("qrimage: decoding image: empty image (%dx%d)", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, fmt.Errorf("qrimage: image too large (%dx%d)", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("qrimage: decoding image: %w", err)
	}
	return DecodeImage(ctx, img)
}

// DecodeImage is like Decode but searches an image already in memory, for
// example a camera frame. It returns the same results and errors as Decode,
// except for those about reading the image file.
func DecodeImage(ctx context.Context, img image.Image) (payloads []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			payloads, err = nil, fmt.Errorf("qrimage: decoder failed on this image: %v", p)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if img.Bounds().Empty() {
		return nil, ErrNoCode
	}
	src := gozxing.NewLuminanceSourceFromImage(img)
	for _, s := range []gozxing.LuminanceSource{src, gozxing.NewInvertedLuminanceSource(src)} {
		results, err := decodeSource(ctx, s)
		if err != nil {
			return nil, err
		}
		if len(results) > 0 {
			return orderResults(results), nil
		}
	}
	return nil, ErrNoCode
}

// decodeSource runs the multi-code reader over src and, if that finds
// nothing, the single-code reader, whose detector is more forgiving for an
// image holding exactly one code. Decoder failures are not errors here; only
// a cancelled context is.
func decodeSource(ctx context.Context, src gozxing.LuminanceSource) ([]*gozxing.Result, error) {
	hints := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_TRY_HARDER: true,
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil, nil
	}
	if results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints); err == nil && len(results) > 0 {
		return results, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil && res != nil {
		return []*gozxing.Result{res}, nil
	}
	return nil, nil
}

// placed is a decoded payload with the bounding box of its result points.
type placed struct {
	text       string
	minX, minY float64
	maxY       float64
}

// orderResults sorts results into reading order and removes duplicate
// payloads, keeping the first occurrence.
func orderResults(results []*gozxing.Result) []string {
	ps := make([]placed, 0, len(results))
	for _, r := range results {
		if r == nil {
			continue
		}
		p := placed{text: r.GetText(), minX: math.Inf(1), minY: math.Inf(1), maxY: math.Inf(-1)}
		for _, pt := range r.GetResultPoints() {
			if pt == nil {
				continue
			}
			p.minX = math.Min(p.minX, pt.GetX())
			p.minY = math.Min(p.minY, pt.GetY())
			p.maxY = math.Max(p.maxY, pt.GetY())
		}
		if math.IsInf(p.minX, 1) { // no points: sort last, keep decoder order
			p.minX, p.minY, p.maxY = math.MaxFloat64, math.MaxFloat64, math.MaxFloat64
		}
		ps = append(ps, p)
	}
	// Codes side by side rarely have exactly equal top coordinates, so two
	// codes count as being on the same line when their tops differ by less
	// than half the height of the smaller one.
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		tol := math.Min(a.maxY-a.minY, b.maxY-b.minY) / 2
		if math.Abs(a.minY-b.minY) > tol {
			return a.minY < b.minY
		}
		return a.minX < b.minX
	})
	seen := make(map[string]bool, len(ps))
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if seen[p.text] {
			continue
		}
		seen[p.text] = true
		out = append(out, p.text)
	}
	return out
}

// Matrix returns the modules of payload's QR code, indexed [row][column],
// true for a dark module, with a light quiet zone of quiet modules on every
// side. The code uses error correction level M; payloads made only of
// characters in the QR alphanumeric set (digits, upper-case letters and
// " $%*+-./:") are encoded in the compact alphanumeric mode. It returns an
// error if payload is empty, quiet is negative, or payload does not fit in a
// QR code.
func Matrix(payload string, quiet int) ([][]bool, error) {
	if quiet < 0 {
		return nil, fmt.Errorf("qrimage: negative quiet zone %d", quiet)
	}
	bm, err := encodeMatrix(payload, 0, quiet)
	if err != nil {
		return nil, err
	}
	w, h := bm.GetWidth(), bm.GetHeight()
	// A requested size of 0 must give exactly one pixel per module: a
	// version v code is 17+4v modules square (v = 1..40), plus the quiet
	// zone on both sides.
	n := w - 2*quiet
	if w != h || n < 21 || n > 177 || (n-17)%4 != 0 {
		return nil, fmt.Errorf("qrimage: unexpected module matrix %dx%d", w, h)
	}
	m := make([][]bool, h)
	for y := range h {
		m[y] = make([]bool, w)
		for x := range w {
			m[y][x] = bm.Get(x, y)
		}
	}
	return m, nil
}

// encodeMatrix encodes payload with error correction level M and the given
// quiet zone, rendered at roughly size×size pixels (see Encode).
func encodeMatrix(payload string, size, quietZone int) (*gozxing.BitMatrix, error) {
	if payload == "" {
		return nil, errors.New("qrimage: empty payload")
	}
	if size < 0 {
		return nil, fmt.Errorf("qrimage: negative size %d", size)
	}
	hints := map[gozxing.EncodeHintType]interface{}{
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           quietZone,
	}
	// The default byte-mode character set is ISO-8859-1, which cannot hold
	// arbitrary Unicode; declare UTF-8 (with an ECI segment) only when the
	// payload needs it, so that ASCII payloads stay free of ECI headers.
	if !isASCII(payload) {
		hints[gozxing.EncodeHintType_CHARACTER_SET] = "UTF-8"
	}
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, size, size, hints)
	if err != nil {
		return nil, fmt.Errorf("qrimage: encoding payload: %w", err)
	}
	return m, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Encode renders payload as a black-on-white QR code image of size×size
// pixels, using error correction level M and a quiet zone of 4 modules.
//
// Each module is drawn as a square of whole pixels, so the code is centred
// and any remainder becomes extra white border. If size is too small to give
// every module (including the quiet zone) at least one pixel, the image is
// enlarged to the smallest size that does; a size of 0 therefore yields one
// pixel per module. Encode returns an error if payload is empty, size is
// negative, or payload does not fit in a QR code.
func Encode(payload string, size int) (image.Image, error) {
	m, err := encodeMatrix(payload, size, 4)
	if err != nil {
		return nil, err
	}
	w, h := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		for x := range row {
			if m.Get(x, y) {
				row[x] = 0
			} else {
				row[x] = 0xff
			}
		}
	}
	return img, nil
}

// EncodePNG writes payload to w as a PNG image, as rendered by Encode.
func EncodePNG(w io.Writer, payload string, size int) error {
	img, err := Encode(payload, size)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("qrimage: writing PNG: %w", err)
	}
	return nil
}

// Half-block characters used by RenderHalfBlocks. Each character cell shows
// two vertically stacked modules; a drawn half is a light module.
const (
	blockNone  = ' '      // both modules dark
	blockUpper = '\u2580' // ▀ upper module light, lower dark
	blockLower = '\u2584' // ▄ upper module dark, lower light
	blockFull  = '\u2588' // █ both modules light
)

// RenderHalfBlocks renders payload as a QR code (error correction level M)
// made of Unicode half-block characters, for display in a terminal.
//
// Each character cell holds two rows of modules, one module per column: the
// upper half of the cell is the first row, the lower half the second. The
// code is surrounded by a 2-module quiet zone, narrower than the 4 modules
// the standard asks for but reliably read by phone cameras and it keeps the
// output compact.
//
// The colours are deliberately inverted with respect to the usual reading
// of text: the drawn (foreground) parts of a character are LIGHT modules and
// the blank parts are DARK modules. On a terminal with light text on a dark
// background — the common default — this yields a correctly coloured
// dark-on-light code. On a dark-on-light terminal the code appears inverted
// and only scanners that handle inverted codes will read it.
//
// Only four characters are used: space (both modules dark), '▀' (upper
// light), '▄' (lower light) and '█' (both light). The number of module rows
// is odd, so the lower half of the last line lies outside the code and is
// left undrawn. Lines are separated by '\n' and all have the same width in
// runes; the result ends with a newline.
func RenderHalfBlocks(payload string) (string, error) {
	m, err := Matrix(payload, 2)
	if err != nil {
		return "", err
	}
	light := func(x, y int) bool { return y < len(m) && !m[y][x] }
	var sb strings.Builder
	sb.Grow((len(m) + 1) / 2 * (len(m)*3 + 1))
	for y := 0; y < len(m); y += 2 {
		for x := range m[y] {
			// Past the last row nothing is drawn, i.e. it reads as dark.
			up, down := light(x, y), light(x, y+1)
			switch {
			case up && down:
				sb.WriteRune(blockFull)
			case up:
				sb.WriteRune(blockUpper)
			case down:
				sb.WriteRune(blockLower)
			default:
				sb.WriteRune(blockNone)
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String(), nil
}
