package kiosk

import (
	"bytes"
	"io"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
)

// idSequence hands out visit ids that sort in the order the checker made
// them. The store walks visits in id order, and "the last decision" an
// undo reverses is the last id. A UUIDv7 sorts by millisecond and then by
// random bits, so two decisions in one millisecond (a fast scanner, a
// fixed test clock) or after the clock stepped back would sort at random
// and an undo could reverse the wrong one. When a fresh id does not sort
// after the previous one, next counts on from the previous id instead
// (RFC 9562 §6.2, method 1: the 12 rand_a bits as a counter, spilling
// into the millisecond), keeping fresh random bits for the rest.
//
// It is used under the checker's mutex.
type idSequence struct {
	last store.VisitID
}

// seed starts the sequence after the newest visit already in the store,
// so ids keep sorting after a restart with the clock set back.
func (s *idSequence) seed(st checkerStore) {
	if recent, err := st.Recent(1); err == nil && len(recent) == 1 {
		s.last = recent[0].ID
	}
}

// next returns an id for a decision at t that sorts after every id this
// sequence returned or was seeded with.
func (s *idSequence) next(t time.Time, rand io.Reader) (store.VisitID, error) {
	id, err := store.NewVisitID(t, rand)
	if err != nil {
		return id, err
	}
	if bytes.Compare(id[:], s.last[:]) <= 0 {
		id = countOn(s.last, id)
	}
	s.last = id
	return id, nil
}

// countOn returns the id after last: last's millisecond and counter plus
// one, with fresh's random tail.
func countOn(last, fresh store.VisitID) store.VisitID {
	var ms uint64
	for i := 0; i < 6; i++ {
		ms = ms<<8 | uint64(last[i])
	}
	counter := uint16(last[6]&0x0f)<<8 | uint16(last[7])
	if counter == 0x0fff {
		ms, counter = ms+1, 0
	} else {
		counter++
	}
	id := fresh
	for i := 0; i < 6; i++ {
		id[i] = byte(ms >> (40 - 8*i))
	}
	id[6] = 0x70 | byte(counter>>8) // version 7
	id[7] = byte(counter)
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}
