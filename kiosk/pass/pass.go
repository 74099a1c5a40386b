package pass

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/reason"
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
	bodySigned = 1 + wire.KeyIDSize + wire.SubjectKeySize + 3*4 // version, issuer, subject, three times
	bodySize   = bodySigned + ed25519.SignatureSize             // 97
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

// TrustList finds an issuer's public key by its id.
type TrustList interface {
	Issuer(id wire.KeyID) (ed25519.PublicKey, bool)
}

// Encode signs p with the issuer's private key and returns the payload.
func Encode(p Pass, priv ed25519.PrivateKey) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("encode pass: private key is %d bytes", len(priv))
	}
	if id := wire.KeyIDOf(priv.Public().(ed25519.PublicKey)); id != p.Issuer {
		return "", fmt.Errorf("encode pass: issuer %s is not the signing key's id %s", p.Issuer, id)
	}
	if err := checkWindow(p.IssuedAt, p.NotBefore, p.ExpiresAt); err != nil {
		return "", fmt.Errorf("encode pass: %w", err)
	}
	body := make([]byte, bodySize)
	body[0] = Version
	copy(body[1:], p.Issuer[:])
	copy(body[1+wire.KeyIDSize:], p.Subject[:])
	times := body[1+wire.KeyIDSize+wire.SubjectKeySize:]
	binary.BigEndian.PutUint32(times[0:], uint32(p.IssuedAt.Unix()))
	binary.BigEndian.PutUint32(times[4:], uint32(p.NotBefore.Unix()))
	binary.BigEndian.PutUint32(times[8:], uint32(p.ExpiresAt.Unix()))
	copy(body[bodySigned:], ed25519.Sign(priv, signedBytes(body[:bodySigned])))
	return Prefix + encodeBase45(body), nil
}

func checkWindow(issued, notBefore, expires time.Time) error {
	for _, t := range []time.Time{issued, notBefore, expires} {
		if t.Unix() <= 0 || t.Unix() > 1<<32-1 {
			return fail(reason.Malformed, "pass time outside 1970..2106")
		}
	}
	if !notBefore.Before(expires) {
		return fail(reason.Malformed, "pass window is empty or reversed")
	}
	return nil
}

func signedBytes(body []byte) []byte {
	return append([]byte(signDomain), body...)
}

// decode parses a payload's structure without checking the signature.
func decode(payload string) (p Pass, body []byte, err error) {
	payload = strings.TrimSpace(payload)
	if !strings.HasPrefix(payload, Prefix) {
		return p, nil, fail(reason.UnknownFormat, "no %s prefix", Prefix)
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
	copy(p.Issuer[:], body[1:])
	copy(p.Subject[:], body[1+wire.KeyIDSize:])
	times := body[1+wire.KeyIDSize+wire.SubjectKeySize:]
	p.IssuedAt = time.Unix(int64(binary.BigEndian.Uint32(times[0:])), 0).UTC()
	p.NotBefore = time.Unix(int64(binary.BigEndian.Uint32(times[4:])), 0).UTC()
	p.ExpiresAt = time.Unix(int64(binary.BigEndian.Uint32(times[8:])), 0).UTC()
	if err := checkWindow(p.IssuedAt, p.NotBefore, p.ExpiresAt); err != nil {
		return p, nil, err
	}
	return p, body, nil
}

// Verify parses a pass payload and checks it: structure, issuer (one
// lookup by key id — never a search through keys), signature, then the
// validity window at now, allowing skew either way.
func Verify(payload string, trust TrustList, now time.Time, skew time.Duration) (Pass, error) {
	p, body, err := decode(payload)
	if err != nil {
		return Pass{}, err
	}
	key, ok := trust.Issuer(p.Issuer)
	if !ok {
		return Pass{}, fail(reason.UnknownIssuer, "issuer %s is not in the trust list", p.Issuer)
	}
	if !ed25519.Verify(key, signedBytes(body[:bodySigned]), body[bodySigned:]) {
		return Pass{}, fail(reason.BadSignature, "signature by issuer %s does not verify", p.Issuer)
	}
	if now.Add(skew).Before(p.NotBefore) {
		return Pass{}, &Error{Reason: reason.NotYetValid, Detail: "window has not started", ValidIn: p.NotBefore.Sub(now)}
	}
	if !now.Add(-skew).Before(p.ExpiresAt) {
		return Pass{}, &Error{Reason: reason.Expired, Detail: "window has ended", ExpiredAgo: now.Sub(p.ExpiresAt)}
	}
	return p, nil
}
