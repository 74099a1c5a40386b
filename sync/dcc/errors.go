package dcc

import (
	"errors"
	"fmt"

	"github.com/doorcheck/doorcheck/sync/reason"
)

// Kind classifies why a certificate is not verified, so callers map it to
// a reason code without matching strings.
type Kind int

const (
	KindMalformed     Kind = iota + 1 // prefix, base45, zlib, CBOR or COSE structure broken
	KindTooLarge                      // a size limit was hit before allocating
	KindUnknownSigner                 // no trusted signer has the key id
	KindBadSignature                  // candidates exist, none verifies; or an unsupported algorithm
	KindKeyUsage                      // the signer's extended key usage excludes this certificate type
	KindExpired                       // CWT expiry (or the signer's validity) passed
	KindNotYetValid                   // issued in the future
	KindRuleFailed                    // verified, but the venue's rules do not admit it
)

// Stage names the step of the decoding pipeline that failed, so the
// conformance runner can tell a base45 failure from a zlib one.
type Stage int

const (
	StageUnprefix Stage = iota + 1
	StageBase45
	StageInflate
	StageCOSE
	StageClaims
	StageSignature
	StageTime
	StageKeyUsage
	StageRules
)

// Error is every failure this package returns.
type Error struct {
	Kind  Kind
	Stage Stage
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("dcc: %v", e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Reason is the verdict reason code for this failure.
func (e *Error) Reason() reason.Code { return e.Kind.Reason() }

// Reason maps a kind to its reason code. Key-usage violations count as an
// unknown signer: no signer trusted for this type signed it.
func (k Kind) Reason() reason.Code {
	switch k {
	case KindUnknownSigner, KindKeyUsage:
		return reason.DCCUnknownSigner
	case KindBadSignature:
		return reason.DCCBadSignature
	case KindExpired:
		return reason.DCCExpired
	case KindNotYetValid:
		return reason.DCCNotYetValid
	case KindRuleFailed:
		return reason.DCCRuleFailed
	case KindTooLarge:
		return reason.TooLong
	}
	return reason.Malformed
}

func fail(k Kind, s Stage, format string, args ...any) error {
	return &Error{Kind: k, Stage: s, Err: fmt.Errorf(format, args...)}
}

// KindOf returns err's kind, or 0 when err is not from this package.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// StageOf returns the pipeline stage err failed at, or 0.
func StageOf(err error) Stage {
	var e *Error
	if errors.As(err, &e) {
		return e.Stage
	}
	return 0
}
