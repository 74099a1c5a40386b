package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// KeyIDSize is the length of a key id in bytes.
const KeyIDSize = 4

// KeyID names an Ed25519 public key: the first four bytes of SHA-256 of the
// key. Passes carry it so a verifier looks the issuer up directly instead of
// trying every key. The hub refuses to publish a trust list where two keys
// share an id.
type KeyID [KeyIDSize]byte

// KeyIDOf returns the id of a public key.
func KeyIDOf(pub ed25519.PublicKey) KeyID {
	sum := sha256.Sum256(pub)
	var id KeyID
	copy(id[:], sum[:KeyIDSize])
	return id
}

// String returns the id in lowercase hex, as written in manifests and configs.
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// ParseKeyID parses an id written by String.
func ParseKeyID(s string) (KeyID, error) {
	var id KeyID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != KeyIDSize {
		return id, fmt.Errorf("key id %q: want %d hex bytes", s, KeyIDSize)
	}
	copy(id[:], b)
	return id, nil
}

// MarshalText implements encoding.TextMarshaler.
func (id KeyID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *KeyID) UnmarshalText(b []byte) error {
	v, err := ParseKeyID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
