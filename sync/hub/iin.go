package hub

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"time"

	// The one import from kiosk/ (temporary, until the shared-floor move of
	// issue 7 puts the IIN and pass codec under sync/): the IIN checksum
	// rules and pass signing.
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// parseIIN normalises an IIN and checks its check digit (docs/formats.md).
// Its errors never hold the digits.
func parseIIN(s string) (string, error) { return pass.ParseIIN(s) }

// subjectHasher derives subject keys like wire.SubjectHasher.IIN, reusing
// one HMAC state so hashing 20 million rows allocates nothing per row. It
// is not safe for concurrent use; make one per goroutine.
type subjectHasher struct {
	mac hash.Hash
	sum []byte
}

func newSubjectHasher(key []byte) *subjectHasher {
	return &subjectHasher{mac: hmac.New(sha256.New, key), sum: make([]byte, 0, sha256.Size)}
}

func (h *subjectHasher) iin(digits string) wire.SubjectKey {
	h.mac.Reset()
	h.mac.Write([]byte("iin:"))
	h.mac.Write([]byte(digits))
	h.sum = h.mac.Sum(h.sum[:0])
	var k wire.SubjectKey
	copy(k[:], h.sum)
	return k
}

// IssuePass signs a pass for an IIN with the hub's issuer key: a window
// from notBefore for valid (a movement permit is one hour). The IIN is
// hashed and dropped; the pass carries only the subject key.
func IssuePass(keys Keys, iin string, now, notBefore time.Time, valid time.Duration) (string, pass.Pass, error) {
	digits, err := parseIIN(iin)
	if err != nil {
		return "", pass.Pass{}, fmt.Errorf("iin: %w", err)
	}
	if valid <= 0 {
		return "", pass.Pass{}, errors.New("the validity must be positive")
	}
	p := pass.Pass{
		Issuer:    wire.KeyIDOf(keys.IssuerPublic()),
		Subject:   wire.NewSubjectHasher(keys.SubjectHash).IIN(digits),
		IssuedAt:  now,
		NotBefore: notBefore,
		ExpiresAt: notBefore.Add(valid),
	}
	payload, err := pass.Encode(p, keys.Issuer)
	if err != nil {
		return "", pass.Pass{}, err
	}
	return payload, p, nil
}
