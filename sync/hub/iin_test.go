package hub

import (
	"testing"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// The import's reusable hasher must derive exactly the kiosk's keys.
func TestSubjectHasherMatchesWire(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	h := newSubjectHasher(key)
	w := wire.NewSubjectHasher(key)
	for _, iin := range []string{"900101400003", "900101400404", "991399000009"} {
		if h.iin(iin) != w.IIN(iin) {
			t.Fatalf("%s: import and wire hash differently", iin)
		}
	}
}
