package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// EntrySize is the encoded size of one snapshot entry: a 16-byte subject
// key, a 1-byte status and a 4-byte valid-until time.
const EntrySize = SubjectKeySize + 1 + 4

// Entry is one listed subject in a snapshot. Blue subjects are simply absent.
type Entry struct {
	Subject SubjectKey
	Status  Status
	// Until is the end of the status, in unix seconds; 0 means it has no
	// set end. At and after Until the subject reads as blue. uint32 seconds
	// last until 2106, which outlives any status.
	Until uint32
}

// StatusAt returns the status in force at now: the listed one before Until,
// blue from Until on.
func (e Entry) StatusAt(now time.Time) Status {
	if e.Until != 0 && now.Unix() >= int64(e.Until) {
		return Blue
	}
	return e.Status
}

// ValidUntil returns Until as a time, or the zero time when the status has
// no set end.
func (e Entry) ValidUntil() time.Time {
	if e.Until == 0 {
		return time.Time{}
	}
	return time.Unix(int64(e.Until), 0).UTC()
}

// Put encodes e into the first EntrySize bytes of b.
func (e Entry) Put(b []byte) {
	_ = b[EntrySize-1]
	copy(b, e.Subject[:])
	b[SubjectKeySize] = byte(e.Status)
	binary.BigEndian.PutUint32(b[SubjectKeySize+1:], e.Until)
}

// AppendEntry appends the encoding of e to b.
func AppendEntry(b []byte, e Entry) []byte {
	var buf [EntrySize]byte
	e.Put(buf[:])
	return append(b, buf[:]...)
}

// DecodeEntry decodes the first EntrySize bytes of b. It does not check the
// status byte; use Validate for untrusted input.
func DecodeEntry(b []byte) Entry {
	_ = b[EntrySize-1]
	var e Entry
	copy(e.Subject[:], b)
	e.Status = Status(b[SubjectKeySize])
	e.Until = binary.BigEndian.Uint32(b[SubjectKeySize+1:])
	return e
}

// Validate reports whether an entry may appear in a snapshot: a listed
// status (blue is the absence of an entry) and a non-zero subject.
func (e Entry) Validate() error {
	if e.Status == Blue || !e.Status.Valid() {
		return fmt.Errorf("entry %s: status byte %d is not red, yellow or green", e.Subject.Masked(), uint8(e.Status))
	}
	if e.Subject.IsZero() {
		return fmt.Errorf("entry has the all-zero subject key")
	}
	return nil
}

// CompareSubjects orders subject keys bytewise, the order of every snapshot
// body and of the kiosk's store.
func CompareSubjects(a, b SubjectKey) int { return bytes.Compare(a[:], b[:]) }
