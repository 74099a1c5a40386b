package protocol

import (
	"fmt"
	"time"
)

// Code is a machine-readable error code of the protocol. Clients act on the
// code and the status class; the message is for people and may change.
type Code string

// The error codes of /v1 (docs/protocol.md has the table with statuses).
const (
	CodeBadRequest           Code = "bad_request"
	CodeUnauthorized         Code = "unauthorized"
	CodeKioskRevoked         Code = "kiosk_revoked"
	CodeForbidden            Code = "forbidden"
	CodeNotFound             Code = "not_found"
	CodeNoSnapshot           Code = "no_snapshot"
	CodeDeltaUnavailable     Code = "delta_unavailable"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeTimeout              Code = "timeout"
	CodeVersionAhead         Code = "version_ahead"
	CodeTokenUsed            Code = "token_used"
	CodeTokenExpired         Code = "token_expired"
	CodeTokenUnknown         Code = "token_unknown"
	CodeBodyTooLarge         Code = "body_too_large"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeOverloaded           Code = "overloaded"
	CodeUnavailable          Code = "unavailable"
	CodeInternal             Code = "internal"
)

// Error is the JSON body of every error answer. Optional fields belong to
// particular codes.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Full is the full snapshot's URL path, with CodeDeltaUnavailable.
	Full string `json:"full,omitempty"`
	// Allow lists the methods allowed, with CodeMethodNotAllowed.
	Allow []string `json:"allow,omitempty"`
	// Limit is the byte limit that was exceeded, with CodeBodyTooLarge.
	Limit int64 `json:"limit,omitempty"`
	// RevokedAt is when the kiosk was revoked, with CodeKioskRevoked.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }
