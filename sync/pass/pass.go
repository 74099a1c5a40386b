package pass

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Prefix opens every signed pass payload. Its characters are in the QR
// alphanumeric set, like base45's.
const Prefix = "DC1:"

// Version is the pass body format this package reads and writes.
const Version = 1

// DefaultSkew is the default allowance for clock differences between the
// issuer and the kiosk when checking a pass window.
const DefaultSkew = 60 * time.Second

// Body layout; see docs/formats.md.
const (
	offIssuer    = 1
	offSubject   = offIssuer + wire.KeyIDSize         // 5
	offIssuedAt  = offSubject + wire.SubjectKeySize   // 21
	offNotBefore = offIssuedAt + 4                    // 25
	offExpiresAt = offNotBefore + 4                   // 29
	bodySigned   = offExpiresAt + 4                   // 33: what the signature covers
	bodySize     = bodySigned + ed25519.SignatureSize // 97
	// PayloadLength is the length of every version-1 pass payload.
	PayloadLength = len(Prefix) + bodySize/2*3 + 2 // 150
)

// signDomain separates pass signatures from every other use of a key.
const signDomain = "doorcheck pass v1\x00"

// Pass is a signed statement by an issuer that the holder is a subject,
// within a validity window. A one-hour movement permit is a pass with a
// one-hour window.
type Pass struct {
	Issuer    wire.KeyID
	Subject   wire.SubjectKey
	IssuedAt  time.Time
	NotBefore time.Time
	ExpiresAt time.Time
}

// TrustList finds an issuer's public key by its id. wire.TrustList, the
// map a snapshot manifest builds, is the implementation the kiosk uses.
type TrustList interface {
	Issuer(id wire.KeyID) (ed25519.PublicKey, bool)
}

var _ TrustList = wire.TrustList(nil)

// Encode signs p with the issuer's private key and returns the payload.
// p.Issuer must be the id of priv's public key, so a pass can never name
// one issuer and carry another's signature. Times are truncated to whole
// seconds; a window that is empty or reversed once truncated, or a time
// outside 1970..2106, is an *Error with reason.Malformed.
func Encode(p Pass, priv ed25519.PrivateKey) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("encode pass: private key is %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	if id := wire.KeyIDOf(priv.Public().(ed25519.PublicKey)); id != p.Issuer {
		return "", fmt.Errorf("encode pass: issuer %s is not the signing key's id %s", p.Issuer, id)
	}
	issued, notBefore, expires := p.IssuedAt.Unix(), p.NotBefore.Unix(), p.ExpiresAt.Unix()
	if err := checkWindow(issued, notBefore, expires); err != nil {
		return "", fmt.Errorf("encode pass: %w", err)
	}
	body := make([]byte, bodySize)
	body[0] = Version
	copy(body[offIssuer:], p.Issuer[:])
	copy(body[offSubject:], p.Subject[:])
	binary.BigEndian.PutUint32(body[offIssuedAt:], uint32(issued))
	binary.BigEndian.PutUint32(body[offNotBefore:], uint32(notBefore))
	binary.BigEndian.PutUint32(body[offExpiresAt:], uint32(expires))
	copy(body[bodySigned:], ed25519.Sign(priv, signedBytes(body[:bodySigned])))
	return Prefix + encodeBase45(body), nil
}

// checkWindow rejects what no issuer means to sign: a time at or before
// the epoch (a zero time.Time, or a clock that never got set), and a
// window that is empty or reversed. Times are unix seconds.
func checkWindow(issued, notBefore, expires int64) error {
	for _, t := range [...]int64{issued, notBefore, expires} {
		if t <= 0 || t > math.MaxUint32 {
			return fail(reason.Malformed, "pass time outside 1970..2106")
		}
	}
	if notBefore >= expires {
		return fail(reason.Malformed, "pass window is empty or reversed")
	}
	return nil
}

func signedBytes(body []byte) []byte {
	return append([]byte(signDomain), body...)
}

// decode parses a payload's structure without checking the signature:
// prefix, base45, length, version and a sane window.
func decode(payload string) (p Pass, body []byte, err error) {
	payload = trimASCII(payload)
	if !strings.HasPrefix(payload, Prefix) {
		return p, nil, fail(reason.UnknownFormat, "no %s prefix", Prefix)
	}
	if len(payload) != PayloadLength {
		return p, nil, fail(reason.Malformed, "pass is %d characters, want %d", len(payload), PayloadLength)
	}
	body, berr := decodeBase45(payload[len(Prefix):])
	if berr != nil {
		return p, nil, fail(reason.Malformed, "pass is not valid base45")
	}
	if len(body) != bodySize {
		return p, nil, fail(reason.Malformed, "pass body is %d bytes, want %d", len(body), bodySize)
	}
	if body[0] != Version {
		return p, nil, fail(reason.Malformed, "pass format version %d, this kiosk reads %d", body[0], Version)
	}
	issued := int64(binary.BigEndian.Uint32(body[offIssuedAt:]))
	notBefore := int64(binary.BigEndian.Uint32(body[offNotBefore:]))
	expires := int64(binary.BigEndian.Uint32(body[offExpiresAt:]))
	if err := checkWindow(issued, notBefore, expires); err != nil {
		return p, nil, err
	}
	copy(p.Issuer[:], body[offIssuer:])
	copy(p.Subject[:], body[offSubject:])
	p.IssuedAt = time.Unix(issued, 0).UTC()
	p.NotBefore = time.Unix(notBefore, 0).UTC()
	p.ExpiresAt = time.Unix(expires, 0).UTC()
	return p, body, nil
}

// Verify parses a pass payload and checks it, in this order, each failure
// an *Error with its own reason:
//
//  1. the Prefix (reason.UnknownFormat);
//  2. base45, length, version and a non-empty window (reason.Malformed);
//  3. the issuer, found by one lookup of its key id in trust — never by
//     trying every key, which would cost a signature check per issuer and
//     let a forger's payload make the kiosk slow (reason.UnknownIssuer);
//  4. the signature (reason.BadSignature);
//  5. the window at now, allowing skew either way for clock differences
//     between issuer and kiosk: now+skew before NotBefore is
//     reason.NotYetValid, now-skew at or after ExpiresAt reason.Expired.
//
// ASCII whitespace at either end of payload is ignored: a keyboard-wedge
// scanner ends its text with CR or LF. A nil trust list trusts no one; a
// negative skew counts as zero.
func Verify(payload string, trust TrustList, now time.Time, skew time.Duration) (Pass, error) {
	p, body, err := decode(payload)
	if err != nil {
		return Pass{}, err
	}
	var key ed25519.PublicKey
	ok := false
	if trust != nil {
		key, ok = trust.Issuer(p.Issuer)
	}
	if !ok || len(key) != ed25519.PublicKeySize {
		return Pass{}, fail(reason.UnknownIssuer, "issuer %s is not in the trust list", p.Issuer)
	}
	if !ed25519.Verify(key, signedBytes(body[:bodySigned]), body[bodySigned:]) {
		return Pass{}, fail(reason.BadSignature, "signature by issuer %s does not verify", p.Issuer)
	}
	skew = max(skew, 0)
	if now.Add(skew).Before(p.NotBefore) {
		return Pass{}, &Error{Reason: reason.NotYetValid, Detail: "window has not started", ValidIn: p.NotBefore.Sub(now)}
	}
	if !now.Add(-skew).Before(p.ExpiresAt) {
		return Pass{}, &Error{Reason: reason.Expired, Detail: "window has ended", ExpiredAgo: now.Sub(p.ExpiresAt)}
	}
	return p, nil
}
