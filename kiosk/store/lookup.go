package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Lookup finds a subject in the current snapshot: a cursor seek to the
// block that may hold it, then a binary search inside the block. found is
// false for a subject that is not listed (blue). Without a current
// snapshot it fails: with the snapshot file's problem (SnapshotProblem)
// if there is one, else with ErrNoSnapshot — "not listed" is an answer
// only a snapshot can give.
//
// Every block a lookup lands on is verified first (its CRC-32C, block.go),
// and the landing itself is checked: the subject must lie between the
// block's first subject and the next block's, which the verified block
// names. A damaged block, key or branch page is an error wrapping
// ErrCorrupt, never a status and never a wrong "not listed".
//
// A lookup is one read transaction over one generation, so it never mixes
// two snapshots. It opens the generation by its cached name; if an import
// flipped and dropped that generation since the name was read, the
// transaction reads the current name from meta instead. The entry is
// copied out of the transaction (bbolt's values live only inside it), and
// nothing is allocated by this package on the way.
func (s *Store) Lookup(key wire.SubjectKey) (e wire.Entry, found bool, err error) {
	gen, entries := s.lookupTarget()
	if gen == nil {
		err := s.SnapshotProblem()
		if err == nil {
			err = ErrNoSnapshot
		}
		return wire.Entry{}, false, fmt.Errorf("look up subject %s: %w", key.Masked(), err)
	}
	err = s.snapView(func(tx *bolt.Tx) error {
		b := tx.Bucket(gen)
		if b == nil {
			cur := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyCurrent))
			if b = tx.Bucket(cur); b == nil {
				return fmt.Errorf("current generation %q is missing", cur)
			}
			// Its manifest is not the cached one: only a block can say
			// whether the generation should be empty.
			gen, entries = cur, 0
		}
		e, found, err = lookupIn(b, gen, key, entries > 0)
		return err
	})
	if err != nil {
		return wire.Entry{}, false, fmt.Errorf("look up subject %s: %w", key.Masked(), err)
	}
	return e, found, nil
}

// lookupTarget returns the cached current generation's name and its
// manifest's entry count, read together.
func (s *Store) lookupTarget() (gen []byte, entries uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.manifest != nil {
		entries = s.manifest.ResultEntries
	}
	return s.gen, entries
}

// lookupIn finds key in generation gen, bucket b. Blocks are keyed by
// their first subject, so the block that may hold key is the one Seek
// lands on if it starts exactly at key, else the one before. nonEmpty
// says the generation must hold blocks.
//
// What is checked, and why it is enough: the block landed on must verify
// (so it is a block of this generation, as written) and satisfy
// first ≤ key < next; the blocks of a generation partition the key space,
// so exactly one block does, and a tree damaged into landing elsewhere is
// caught. A key below the first block is answered "not listed" only after
// the block Seek found verifies as block 0 with key below its first
// subject. Costs one checksum of one block (16 KiB) per lookup, two in the
// rare before-the-first-block case.
func lookupIn(b *bolt.Bucket, gen []byte, key wire.SubjectKey, nonEmpty bool) (wire.Entry, bool, error) {
	if blockFormatOf(gen) != blockFormatV2 {
		return wire.Entry{}, false, errLegacyBlocks{gen: string(gen)}
	}
	c := b.Cursor()
	k, v := c.Seek(key[:])
	var nk, nv []byte // the block after the one that may hold key
	switch {
	case k == nil:
		k, v = c.Last() // key is beyond the last block's first subject
	case !bytes.Equal(k, key[:]):
		nk, nv = k, v
		k, v = c.Prev()
	}
	if k == nil {
		if nk == nil { // no blocks at all
			if nonEmpty {
				return wire.Entry{}, false, fmt.Errorf("%w: generation %s has no blocks, its manifest lists entries", ErrCorrupt, gen)
			}
			return wire.Entry{}, false, nil
		}
		// key is before the first block: nk must be block 0 and above it.
		first, err := openBlock(gen, nk, nv)
		if err != nil {
			return wire.Entry{}, false, err
		}
		if first.index != 0 || bytes.Compare(key[:], first.first()) >= 0 {
			return wire.Entry{}, false, corruptBlock(gen, nk, fmt.Sprintf("(index %d) is where the lookup landed, as the first block", first.index))
		}
		return wire.Entry{}, false, nil
	}
	blk, err := openBlock(gen, k, v)
	if err != nil {
		return wire.Entry{}, false, err
	}
	if bytes.Compare(key[:], blk.first()) < 0 || !blk.last() && bytes.Compare(key[:], blk.next) >= 0 {
		return wire.Entry{}, false, corruptBlock(gen, k, fmt.Sprintf("(index %d) does not cover the subject the lookup landed with", blk.index))
	}
	i, ok := searchBlock(blk.entries, key)
	if !ok {
		return wire.Entry{}, false, nil
	}
	e := wire.DecodeEntry(blk.entries[i*wire.EntrySize:])
	if e.Status == wire.Blue || !e.Status.Valid() {
		// Imports never store these; with a valid checksum this is a bug.
		return wire.Entry{}, false, corruptBlock(gen, k, fmt.Sprintf("holds status byte %d", uint8(e.Status)))
	}
	return e, true, nil
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
