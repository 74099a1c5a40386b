package kiosk

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// Holder is whom a verified EU DCC names: what a guard compares with the
// passport. It is personal data, so it lives in memory for the verdict's
// seconds only: the visit record never has it (the visitor is a keyed
// hash of the certificate identifier), the verdict's JSON line (check
// --json, run --no-tui) leaves it out, and every way of printing or
// logging it (fmt's verbs, slog, JSON) gives "[redacted]". The screen
// reads the fields and shows them through scanner/sanitize.
type Holder struct {
	Name        string // given then family name as printed, else the ICAO transliteration
	DateOfBirth string // as issued: YYYY, YYYY-MM or YYYY-MM-DD (possibly empty)
}

const redacted = "[redacted]"

// maxHolderField bounds each field, in bytes, before the screen sees it.
const maxHolderField = 120

func (h *Holder) String() string               { return redacted }
func (h *Holder) GoString() string             { return redacted }
func (h *Holder) Format(f fmt.State, _ rune)   { io.WriteString(f, redacted) }
func (h *Holder) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (h *Holder) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (h *Holder) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// holderOf is the holder a certificate names, bounded.
func holderOf(c *dcc.Certificate) *Holder {
	if c == nil {
		return nil
	}
	join := func(given, family string) string {
		return strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
	}
	name := join(c.Name.Given, c.Name.Family)
	if name == "" {
		name = join(c.Name.GivenStd, c.Name.FamilyStd)
	}
	return &Holder{Name: clipUTF8(name, maxHolderField), DateOfBirth: clipUTF8(c.DateOfBirth, 32)}
}

// clipUTF8 cuts s to at most n bytes on a rune boundary.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
