package store

import (
	"bytes"
	"encoding/binary"
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
// The part of the block a lookup reads is verified first (a CRC-32C per
// segment of the block, block.go), and the landing itself is checked: the
// subject must lie between the segment's first subject and the one that
// follows it, both covered by the checksum. A damaged block, key or branch page is an error wrapping
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
// Inside the block, the segment that may hold key is found by its first
// subject and verified (block.go). What is checked, and why it is enough:
// the verified segment covers first ≤ key < following, where following
// is the next segment's first subject or the block's next; the segments of
// a generation partition the key space, so exactly one verified segment
// covers key, and a tree damaged into landing elsewhere is caught. A key
// below the first block is answered "not listed" only after segment 0 of
// the block Seek found verifies, is flagged first and starts above it.
// Costs one CRC-32C over about 1 KiB per lookup.
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
		// key is before the first block: nk must be the first block and
		// start above key.
		first, err := parseBlock(gen, nk, nv)
		if err == nil {
			err = first.verifySegment(gen, nk, 0)
		}
		if err != nil {
			return wire.Entry{}, false, err
		}
		if first.flags()&blockFirst == 0 || bytes.Compare(key[:], first.subject(0)) >= 0 {
			return wire.Entry{}, false, corruptBlock(gen, nk, "is where the lookup landed, as the first block")
		}
		return wire.Entry{}, false, nil
	}
	return searchLanded(gen, k, v, nk, key)
}

// searchLanded searches the block a lookup landed on (key k, value v) for
// key, verifying the segment it reads and that the segment covers key.
// upper, if not nil, is the bbolt key of the block after it.
//
// Subject keys are uniform (keyed hashes), so the segment is first
// guessed by interpolating key between k and upper — both already read by
// the cursor, so the guess costs no memory access — and the search then
// steps to the neighbouring segment while the verified one does not cover
// key. Without upper, a binary search over the segments' first subjects
// guesses. Nothing unverified decides: a guess only says which segment to
// verify first.
func searchLanded(gen, k, v, upper []byte, key wire.SubjectKey) (wire.Entry, bool, error) {
	blk, err := parseBlock(gen, k, v)
	if err != nil {
		return wire.Entry{}, false, err
	}
	nseg := blk.segments()
	seg := guessSegment(blk, k, upper, key[:])
	for range nseg {
		if err := blk.verifySegment(gen, k, seg); err != nil {
			return wire.Entry{}, false, err
		}
		entries, following := blk.segment(seg)
		switch {
		case bytes.Compare(key[:], entries[:wire.SubjectKeySize]) < 0:
			if seg == 0 {
				return wire.Entry{}, false, corruptBlock(gen, k, "starts above the subject the lookup landed with")
			}
			seg--
			continue
		case !isZeroKey(following) && bytes.Compare(key[:], following) >= 0:
			if seg == nseg-1 {
				return wire.Entry{}, false, corruptBlock(gen, k, "does not cover the subject the lookup landed with")
			}
			seg++
			continue
		}
		i, ok := searchBlock(entries, key)
		if !ok {
			return wire.Entry{}, false, nil
		}
		e := wire.DecodeEntry(entries[i*wire.EntrySize:])
		if e.Status == wire.Blue || !e.Status.Valid() {
			// Imports never store these; with a valid checksum this is a bug.
			return wire.Entry{}, false, corruptBlock(gen, k, fmt.Sprintf("holds status byte %d", uint8(e.Status)))
		}
		return e, true, nil
	}
	// Verified segments are ascending and each names the next one's first
	// subject, so the walk above ends within nseg steps.
	return wire.Entry{}, false, corruptBlock(gen, k, "has segments that do not cover the subject in order")
}

// guessSegment is the segment of blk to verify first for key, where k and
// upper (nil: unknown) are the block's and the next block's bbolt keys.
func guessSegment(blk sealed, k, upper, key []byte) int {
	nseg := blk.segments()
	if len(k) != wire.SubjectKeySize || len(upper) != wire.SubjectKeySize {
		return max(0, blk.segmentFor(key))
	}
	lo, hi, x := binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(upper), binary.BigEndian.Uint64(key)
	if hi <= lo || x < lo || x >= hi {
		return max(0, blk.segmentFor(key))
	}
	pos := int(float64(x-lo) / float64(hi-lo) * float64(blk.n))
	return min(nseg-1, max(0, pos/blk.seg))
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
