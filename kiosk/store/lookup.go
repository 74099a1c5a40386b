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
// imported. The current generation is read inside the same transaction,
// so a lookup never mixes two snapshots.
func (s *Store) Lookup(key wire.SubjectKey) (e wire.Entry, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		gen := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent))
		if gen == nil {
			return nil
		}
		b := tx.Bucket(gen)
		if b == nil {
			return fmt.Errorf("current generation %s is missing", gen)
		}
		c := b.Cursor()
		k, v := c.Seek(key[:])
		if k == nil || !bytes.Equal(k, key[:]) {
			// The block that may hold key starts before it.
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		if k == nil {
			return nil
		}
		if i, ok := searchBlock(v, key); ok {
			e, found = wire.DecodeEntry(v[i*wire.EntrySize:]), true
		}
		return nil
	})
	if err != nil {
		return wire.Entry{}, false, fmt.Errorf("look up subject %s: %w", key.Masked(), err)
	}
	return e, found, nil
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
