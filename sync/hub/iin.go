package hub

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"

	// The one import from kiosk/ (temporary, until the shared-floor move of
	// issue 7 puts the IIN codec under sync/): the IIN checksum rules.
	"github.com/doorcheck/doorcheck/kiosk/pass"
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
