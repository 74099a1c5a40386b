package protocol

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// EnrollPath is where a kiosk redeems an enrollment code.
const EnrollPath = Prefix + "/enroll"

// Handshake is the enrollment handshake version this package speaks.
const Handshake = 1

// EnrollCodePrefix opens every enrollment code.
const EnrollCodePrefix = "DCE1:"

// TokenSize is the length of an enrollment token in bytes.
const TokenSize = 16

// maxEnrollURL bounds the hub URL inside a code, so the code stays a
// scannable QR size.
const maxEnrollURL = 200

// EnrollCode is what `doorcheck-hub enroll` hands to IT staff: enough for a
// kiosk to find the hub, prove it may enroll, and pin the right hub key.
type EnrollCode struct {
	Handshake int
	Token     [TokenSize]byte
	// KeyFingerprint is the SHA-256 of the hub's Ed25519 public key: the
	// full hash, since a 4-byte key id could be matched by a forged key.
	KeyFingerprint [sha256.Size]byte
	URL            string // the hub's base URL, http or https
}

// Fingerprint returns the fingerprint of a hub key.
func Fingerprint(pub ed25519.PublicKey) [sha256.Size]byte { return sha256.Sum256(pub) }

// String encodes the code: the prefix and the unpadded base64url of the
// handshake byte, the token, the fingerprint and the URL.
func (c EnrollCode) String() string {
	b := make([]byte, 0, 1+TokenSize+sha256.Size+len(c.URL))
	b = append(b, byte(c.Handshake))
	b = append(b, c.Token[:]...)
	b = append(b, c.KeyFingerprint[:]...)
	b = append(b, c.URL...)
	return EnrollCodePrefix + base64.RawURLEncoding.EncodeToString(b)
}

// Validate checks the URL and handshake.
func (c EnrollCode) Validate() error {
	if c.Handshake != Handshake {
		return fmt.Errorf("enrollment code handshake %d: this side speaks %d", c.Handshake, Handshake)
	}
	if len(c.URL) > maxEnrollURL {
		return fmt.Errorf("hub URL is %d bytes, at most %d", len(c.URL), maxEnrollURL)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("hub URL must be http(s)://host[:port][/path] with no query, fragment or credentials")
	}
	return nil
}

// ParseEnrollCode decodes a code made by String. ASCII whitespace around it
// is ignored (scanners end with CR or LF).
func ParseEnrollCode(s string) (EnrollCode, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, EnrollCodePrefix)
	if !ok {
		return EnrollCode{}, errors.New("not a doorcheck enrollment code")
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) < 1+TokenSize+sha256.Size+len("http://x") {
		return EnrollCode{}, errors.New("enrollment code is damaged")
	}
	var c EnrollCode
	c.Handshake = int(b[0])
	copy(c.Token[:], b[1:])
	copy(c.KeyFingerprint[:], b[1+TokenSize:])
	c.URL = string(b[1+TokenSize+sha256.Size:])
	if err := c.Validate(); err != nil {
		return EnrollCode{}, err
	}
	return c, nil
}

// RedeemRequest is the body of POST /v1/enroll.
type RedeemRequest struct {
	Handshake int    `json:"handshake"`
	Token     []byte `json:"token"`            // the code's token, base64
	Device    string `json:"device,omitempty"` // free text for the fleet list, at most MaxDeviceLen
}

// MaxDeviceLen bounds RedeemRequest.Device.
const MaxDeviceLen = 64

// RedeemResponse is the answer to a successful redeem.
type RedeemResponse struct {
	Kiosk     string `json:"kiosk"`
	Secret    []byte `json:"secret"` // shown once; the kiosk keeps it mode 0600
	Venue     string `json:"venue"`
	Door      string `json:"door"`
	Direction string `json:"direction"`
	// HubKey is the hub's public key; the kiosk checks it against the
	// code's fingerprint before it believes anything else here.
	HubKey   ed25519.PublicKey `json:"hub_key"`
	HubKeyID wire.KeyID        `json:"hub_key_id"`
	Manifest string            `json:"manifest"`
}

// Credential is the kiosk's bearer credential: Authorization: Bearer
// KIOSK.SECRET, the secret in unpadded base64url.
func Credential(kiosk string, secret []byte) string {
	return kiosk + "." + base64.RawURLEncoding.EncodeToString(secret)
}

// ParseCredential splits a bearer credential.
func ParseCredential(s string) (kiosk string, secret []byte, err error) {
	k, enc, ok := strings.Cut(s, ".")
	if !ok || k == "" {
		return "", nil, errors.New("credential is not KIOSK.SECRET")
	}
	secret, err = base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(secret) == 0 {
		return "", nil, errors.New("credential secret is not base64url")
	}
	return k, secret, nil
}

// KioskPath answers an authenticated kiosk with its own record.
const KioskPath = Prefix + "/kiosk"

// KioskInfo is the body of GET /v1/kiosk.
type KioskInfo struct {
	Kiosk      string    `json:"kiosk"`
	Venue      string    `json:"venue"`
	Door       string    `json:"door"`
	Direction  string    `json:"direction"`
	EnrolledAt time.Time `json:"enrolled_at"`
}
