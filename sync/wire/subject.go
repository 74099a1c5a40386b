package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// SubjectKeySize is the length of a subject key in bytes. A subject key is
// HMAC-SHA256 truncated to 128 bits; at 20 million subjects the chance that
// any two collide is about n²/2¹²⁹ ≈ 6·10⁻²⁵ (docs/formats.md).
const SubjectKeySize = 16

// SubjectKey is the pseudonymous key of one person: a keyed hash of their
// identifier. No raw identifier is ever stored next to it.
type SubjectKey [SubjectKeySize]byte

// String returns the key in lowercase hex. Use Masked for screens and logs.
func (k SubjectKey) String() string { return hex.EncodeToString(k[:]) }

// Masked returns a short, non-identifying tag for screens and logs: the first
// four bytes in hex. It lets staff tell two recent scans apart without
// revealing a full key.
func (k SubjectKey) Masked() string { return hex.EncodeToString(k[:4]) }

// IsZero reports whether k is the all-zero key, which no real subject has.
func (k SubjectKey) IsZero() bool { return k == SubjectKey{} }

// SubjectHasher derives subject keys from identifiers with the deployment's
// subject-hash key (carried in the snapshot manifest).
type SubjectHasher struct {
	key []byte
}

// NewSubjectHasher returns a hasher for the given deployment key. The key is
// copied.
func NewSubjectHasher(key []byte) SubjectHasher {
	return SubjectHasher{key: append([]byte(nil), key...)}
}

// IIN returns the subject key of a normalised 12-digit IIN. The domain prefix
// keeps IIN keys apart from any other identifier kind added later.
func (h SubjectHasher) IIN(digits string) SubjectKey {
	return h.sum("iin:", digits)
}

func (h SubjectHasher) sum(domain, id string) SubjectKey {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(domain))
	m.Write([]byte(id))
	var k SubjectKey
	copy(k[:], m.Sum(nil))
	return k
}
