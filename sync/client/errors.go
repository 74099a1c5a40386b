package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// ErrRevoked is returned once the hub has answered kiosk_revoked: the
// client stops syncing and keeps every record.
var ErrRevoked = errors.New("this kiosk has been revoked by the hub: syncing stopped, unsent visits kept")

// HTTPError is a non-success answer from the hub, decided by status and code.
type HTTPError struct {
	Status     int
	Code       protocol.Code
	Message    string        // sanitized, bounded
	RetryAfter time.Duration // from Retry-After; 0 when absent
}

func (e *HTTPError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("hub answered %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("hub answered %d", e.Status)
}

// Transient reports whether retrying the same request may succeed: 408,
// 429 and 5xx. Every other 4xx never succeeds by retrying.
func (e *HTTPError) Transient() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 8 << 10

// errorOf reads a hub error answer (the JSON body of docs/protocol.md).
func errorOf(resp *http.Response) error {
	e := &HTTPError{Status: resp.StatusCode}
	var body protocol.Error
	if b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody)); err == nil && json.Unmarshal(b, &body) == nil {
		e.Message = sanitize.Escape(truncate(body.Message, 200))
		e.Code = protocol.Code(sanitize.Escape(truncate(string(body.Code), 64)))
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			e.RetryAfter = time.Until(t)
		}
	}
	if e.Status == http.StatusForbidden && e.Code == protocol.CodeKioskRevoked {
		return fmt.Errorf("%w (%v)", ErrRevoked, e)
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// transient reports whether err is worth retrying: a transient answer, a
// timeout or a network error. Revocation, other 4xx and the caller's own
// cancellation are not.
func transient(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrRevoked) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Transient()
	}
	var pe *permanentError
	return !errors.As(err, &pe)
}

// permanentError marks a failure that retrying cannot fix (a hub answer
// that does not follow the protocol, a file that fails verification).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// retryAfter is the wait a failure asks for, if any.
func retryAfter(err error) time.Duration {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.RetryAfter
	}
	return 0
}

// words is an error for the screen: sanitized and bounded.
func words(err error) string {
	if err == nil {
		return ""
	}
	return sanitize.Escape(truncate(err.Error(), 300))
}
