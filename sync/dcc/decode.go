package dcc

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"strings"

	"github.com/doorcheck/doorcheck/sync/pass"
)

// Prefix opens every EU DCC QR text ("health certificate, version 1").
const Prefix = "HC1:"

// Limits bound every size before it is allocated: a QR code holds at most
// 4,296 alphanumeric characters, so anything larger is hostile.
type Limits struct {
	MaxText       int // characters of the HC1 text, prefix included
	MaxCompressed int // bytes after base45
	MaxInflated   int // bytes after zlib
}

// DefaultLimits fit the largest QR code (version 40, level L) with room:
// real certificates are under 1 KiB inflated. A zero field of a Limits
// means its default.
func DefaultLimits() Limits {
	return Limits{MaxText: 4600, MaxCompressed: 3100, MaxInflated: 64 << 10}
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.MaxText <= 0 {
		l.MaxText = d.MaxText
	}
	if l.MaxCompressed <= 0 {
		l.MaxCompressed = d.MaxCompressed
	}
	if l.MaxInflated <= 0 {
		l.MaxInflated = d.MaxInflated
	}
	return l
}

// Unprefix strips "HC1:" (and the trailing newline some scanners add).
func Unprefix(text string, lim Limits) (string, error) {
	lim = lim.orDefault()
	if len(text) > lim.MaxText {
		return "", fail(KindTooLarge, StageUnprefix, "text of %d characters over the limit of %d", len(text), lim.MaxText)
	}
	text = strings.TrimRight(text, "\r\n")
	if !strings.HasPrefix(text, Prefix) {
		return "", fail(KindMalformed, StageUnprefix, "no %s prefix", Prefix)
	}
	return text[len(Prefix):], nil
}

// HasPrefix tells whether a scanned payload is a DCC at all, so the kiosk
// routes it here rather than to the IIN or pass path.
func HasPrefix(text string) bool { return strings.HasPrefix(text, Prefix) }

// DecodeBase45 decodes the text after the prefix.
func DecodeBase45(s string, lim Limits) ([]byte, error) {
	lim = lim.orDefault()
	if len(s)/3*2+1 > lim.MaxCompressed+1 {
		return nil, fail(KindTooLarge, StageBase45, "base45 text of %d characters over the limit", len(s))
	}
	b, err := pass.DecodeBase45(s)
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Stage: StageBase45, Err: err}
	}
	return b, nil
}

// Inflate undoes the zlib compression, reading at most MaxInflated bytes
// so a zip bomb costs no more memory than a real certificate's limit.
func Inflate(b []byte, lim Limits) ([]byte, error) {
	lim = lim.orDefault()
	if len(b) > lim.MaxCompressed {
		return nil, fail(KindTooLarge, StageInflate, "%d compressed bytes over the limit of %d", len(b), lim.MaxCompressed)
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Stage: StageInflate, Err: err}
	}
	defer zr.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, int64(lim.MaxInflated)+1))
	if err != nil {
		return nil, &Error{Kind: KindMalformed, Stage: StageInflate, Err: err}
	}
	if n > int64(lim.MaxInflated) {
		return nil, fail(KindTooLarge, StageInflate, "inflated over the limit of %d bytes", lim.MaxInflated)
	}
	// A truncated stream is caught by the checksum at EOF; reaching it is
	// what io.Copy did, so a missing checksum surfaced as err above.
	if err := zr.Close(); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{Kind: KindMalformed, Stage: StageInflate, Err: err}
	}
	return out.Bytes(), nil
}

// DecodeText runs prefix, base45 and zlib: the HC1 text to COSE bytes.
func DecodeText(text string, lim Limits) ([]byte, error) {
	s, err := Unprefix(text, lim)
	if err != nil {
		return nil, err
	}
	z, err := DecodeBase45(s, lim)
	if err != nil {
		return nil, err
	}
	return Inflate(z, lim)
}
