// Package pass parses and verifies what a visitor shows at the door: a
// 12-digit IIN from an ID card, or a signed pass from a QR code. It turns
// either into a subject key for the snapshot lookup, or into an Error with
// a machine-readable reason.
//
// Formats, the IIN algorithm and test vectors: docs/formats.md (sections
// "IIN" and "Signed pass").
package pass

import (
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
)

// Error is a payload that did not verify. Detail never holds the payload
// or its digits, so an Error is safe to log.
type Error struct {
	Reason     reason.Code
	Detail     string
	ExpiredAgo time.Duration // for reason.Expired: how long ago the window ended
	ValidIn    time.Duration // for reason.NotYetValid: how soon it starts
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return string(e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Reason, e.Detail)
}

func fail(r reason.Code, format string, args ...any) *Error {
	return &Error{Reason: r, Detail: fmt.Sprintf(format, args...)}
}
