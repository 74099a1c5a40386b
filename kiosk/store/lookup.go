package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Lookup finds a subject in the current snapshot: a cursor seek to the
// block that may hold it, then a binary search inside the block. found is
// false for a subject that is not listed (blue) and when no snapshot is
// imported.
//
// A lookup is one read transaction over one generation, so it never mixes
// two snapshots. It opens the generation by its cached name; if an import
// flipped and dropped that generation since the name was read, the
// transaction reads the current name from meta instead. The entry is
// copied out of the transaction (bbolt's values live only inside it), and
// nothing is allocated by this package on the way.
func (s *Store) Lookup(key wire.SubjectKey) (e wire.Entry, found bool, err error) {
	gen := s.currentGen()
	if gen == nil {
		return wire.Entry{}, false, nil
	}
	err = s.snapView(func(tx *bolt.Tx) error {
		b := tx.Bucket(gen)
		if b == nil {
			cur := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent))
			if b = tx.Bucket(cur); b == nil {
				return fmt.Errorf("current generation %q is missing", cur)
			}
		}
		e, found = lookupIn(b, key)
		return nil
	})
	if err != nil {
		return wire.Entry{}, false, fmt.Errorf("look up subject %s: %w", key.Masked(), err)
	}
	return e, found, nil
}

// lookupIn finds key in a generation bucket. Blocks are keyed by their
// first subject, so the block that may hold key is the one Seek lands on
// if it starts exactly at key, else the one before.
func lookupIn(b *bolt.Bucket, key wire.SubjectKey) (wire.Entry, bool) {
	c := b.Cursor()
	k, v := c.Seek(key[:])
	switch {
	case k == nil:
		k, v = c.Last() // key is beyond the last block's first subject
	case !bytes.Equal(k, key[:]):
		k, v = c.Prev()
	}
	if k == nil {
		return wire.Entry{}, false // key is before the first block, or no blocks
	}
	i, ok := searchBlock(v, key)
	if !ok {
		return wire.Entry{}, false
	}
	return wire.DecodeEntry(v[i*wire.EntrySize:]), true
}

// searchBlock binary-searches a block of entries for key.
func searchBlock(block []byte, key wire.SubjectKey) (int, bool) {
	lo, hi := 0, len(block)/wire.EntrySize
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		off := mid * wire.EntrySize
		switch bytes.Compare(block[off:off+wire.SubjectKeySize], key[:]) {
		case 0:
			return mid, true
		case -1:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}
