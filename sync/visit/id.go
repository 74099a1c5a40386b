package visit

import (
	"encoding/hex"
	"fmt"
	"time"
)

// ID identifies a visit everywhere: kiosk log, upload, hub. It is a UUIDv7
// (48 bits of milliseconds, then randomness), so ids sort by time and the
// hub keeps each visit exactly once by id.
type ID [16]byte

// String formats the id as a UUID.
func (id ID) String() string {
	h := hex.EncodeToString(id[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// IsZero reports whether id is unset.
func (id ID) IsZero() bool { return id == ID{} }

// Time returns the millisecond time the id was made at.
func (id ID) Time() time.Time {
	var ms int64
	for i := 0; i < 6; i++ {
		ms = ms<<8 | int64(id[i])
	}
	return time.UnixMilli(ms).UTC()
}

// MarshalText implements encoding.TextMarshaler; the zero id is empty.
func (id ID) MarshalText() ([]byte, error) {
	if id.IsZero() {
		return []byte{}, nil
	}
	return []byte(id.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: a UUID in canonical
// form (8-4-4-4-12 hex digits), or empty for the zero id.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = ID{}
		return nil
	}
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return fmt.Errorf("visit id: want a UUID (8-4-4-4-12 hex digits)")
	}
	var clean [32]byte
	n := 0
	for i, c := range b {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		clean[n] = c
		n++
	}
	if _, err := hex.Decode(id[:], clean[:]); err != nil {
		return fmt.Errorf("visit id: %w", err)
	}
	return nil
}
