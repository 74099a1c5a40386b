package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// A stored snapshot block (format 2, docs/storage.md "Blocks"):
//
//	entries  n × 21 bytes, strictly ascending, 1 ≤ n ≤ BlockEntries
//	next     16 bytes: the first subject of the following block of the
//	         generation; all zero for the last block (no subject is zero)
//	index    4 bytes, big-endian: the block's position in the generation, from 0
//	crc      4 bytes, big-endian: CRC-32C of generation name ‖ entries ‖ next ‖ index
//
// The block's bbolt key is its first subject, checked against the first
// entry, so the checksum covers the key as well. Seeding the checksum with
// the generation's name refuses a block of another generation (a freed page
// of an earlier import that a damaged branch page points into). next and
// index chain the blocks: a lookup that lands on a verified block checks
// that the subject lies in [first, next), which no misrouted landing can
// satisfy, and a landing before the first block must be on block 0.
const (
	blockNextOff     = 0
	blockIndexOff    = wire.SubjectKeySize
	blockCRCOff      = blockIndexOff + 4
	blockTrailerSize = blockCRCOff + 4 // 24 bytes after the entries
)

// Generation names carry the block format, so a block is never read in a
// format other than the one it was written in. Format 1 (names
// "gen-" + 16 digits, before checksums) stored bare entries; format 2
// (names "gen-c2-" + 16 digits) adds the trailer above. Lookups and deltas
// refuse format 1 with errLegacyBlocks; a migration rewrites such a
// generation through a blockBuilder.
const (
	genPrefixV2   = genPrefix + "c2-"
	blockFormatV1 = 1
	blockFormatV2 = 2
	genSeqDigits  = 16
)

// castagnoli is CRC-32C's table; Go computes it with the CPU's CRC32
// instruction on amd64 and arm64. It is never modified.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// generationName is the name of generation seq in the current block format.
func generationName(seq uint64) []byte {
	return fmt.Appendf(nil, "%s%0*d", genPrefixV2, genSeqDigits, seq)
}

// upgradedGenerationName is the format 2 name of a format 1 generation,
// with the same sequence number: a migration rewrites the blocks of
// generation old into a generation of this name (newBlockBuilder with it)
// and names it in meta/current. ok is false for a name that is not a
// format 1 generation.
func upgradedGenerationName(old []byte) (name []byte, ok bool) {
	if blockFormatOf(old) != blockFormatV1 {
		return nil, false
	}
	return append([]byte(genPrefixV2), old[len(genPrefix):]...), true
}

// blockFormatOf returns the block format of a generation from its name, 0
// for a name that is no generation.
func blockFormatOf(gen []byte) int {
	digits := func(b []byte) bool {
		if len(b) != genSeqDigits {
			return false
		}
		for _, c := range b {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	switch {
	case bytes.HasPrefix(gen, []byte(genPrefixV2)) && digits(gen[len(genPrefixV2):]):
		return blockFormatV2
	case bytes.HasPrefix(gen, []byte(genPrefix)) && digits(gen[len(genPrefix):]):
		return blockFormatV1
	}
	return 0
}

// errLegacyBlocks is returned for a generation written before blocks had
// checksums: its entries cannot be trusted to be what was imported, so
// they give no colour until a migration or a full import rewrites them.
type errLegacyBlocks struct{ gen string }

func (e errLegacyBlocks) Error() string {
	return fmt.Sprintf("snapshot generation %s holds blocks without checksums (format 1): import a full snapshot", e.gen)
}

// blockSum is the checksum of a block's body (entries, next, index).
func blockSum(gen, body []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, gen), castagnoli, body)
}

// sealBlock appends the trailer to a block of entries of generation gen and
// returns the sealed block, the bbolt value. next is the first subject of
// the following block, nil for the last one. The trailer goes in place
// when entries has room for it (cap ≥ len + blockTrailerSize).
func sealBlock(gen, entries, next []byte, index uint32) []byte {
	if len(entries) == 0 || len(entries)%wire.EntrySize != 0 {
		panic(fmt.Sprintf("store: sealing a block of %d bytes", len(entries)))
	}
	n := len(entries)
	b := append(entries, make([]byte, blockTrailerSize)...)
	t := b[n:]
	copy(t[blockNextOff:blockIndexOff], next) // nil leaves the zero "last" marker
	binary.BigEndian.PutUint32(t[blockIndexOff:], index)
	binary.BigEndian.PutUint32(t[blockCRCOff:], blockSum(gen, b[:n+blockCRCOff]))
	return b
}

// block is a verified block, its slices still inside the transaction.
type block struct {
	entries []byte // n × wire.EntrySize, ascending
	next    []byte // first subject of the next block; all zero: the last block
	index   uint32
}

// first is the block's first subject.
func (b block) first() []byte { return b.entries[:wire.SubjectKeySize] }

// last reports whether no block follows this one.
func (b block) last() bool { return isZeroKey(b.next) }

// len is the number of entries.
func (b block) len() int { return len(b.entries) / wire.EntrySize }

func isZeroKey(k []byte) bool {
	return binary.BigEndian.Uint64(k) == 0 && binary.BigEndian.Uint64(k[8:]) == 0
}

// openBlock verifies the block stored under key in generation gen (format 2)
// and returns it. A failure wraps ErrCorrupt; it allocates only then.
func openBlock(gen, key, value []byte) (block, error) {
	n := len(value) - blockTrailerSize
	if n < wire.EntrySize || n%wire.EntrySize != 0 {
		return block{}, corruptBlock(gen, key, fmt.Sprintf("is %d bytes", len(value)))
	}
	t := value[n:]
	if binary.BigEndian.Uint32(t[blockCRCOff:]) != blockSum(gen, value[:n+blockCRCOff]) {
		return block{}, corruptBlock(gen, key, "fails its checksum")
	}
	if !bytes.Equal(key, value[:wire.SubjectKeySize]) {
		return block{}, corruptBlock(gen, key, "is stored under another key than its first subject")
	}
	return block{entries: value[:n], next: t[blockNextOff:blockIndexOff], index: binary.BigEndian.Uint32(t[blockIndexOff:])}, nil
}

// corruptBlock describes a block that failed a check. Keys are masked: a
// subject key never reaches a log in full.
func corruptBlock(gen, key []byte, what string) error {
	return fmt.Errorf("%w: generation %s: block at %s %s", ErrCorrupt, gen, maskKey(key), what)
}

// maskKey is wire.SubjectKey.Masked for a key that may be short or long.
func maskKey(k []byte) string {
	var sk wire.SubjectKey
	copy(sk[:], k)
	if len(k) != wire.SubjectKeySize {
		return fmt.Sprintf("%s (a %d-byte key)", sk.Masked(), len(k))
	}
	return sk.Masked()
}

// blockChain checks that consecutive blocks of one generation, read in key
// order from its first block, form an unbroken chain: each is verified,
// its index is one more than the last one's, it starts at the subject the
// previous block named as next, and only the final block is marked last.
// It also counts entries, for a caller to compare with the manifest.
type blockChain struct {
	gen     []byte
	index   uint32
	next    [wire.SubjectKeySize]byte // expected first subject; zero before block 0
	ended   bool                      // the last block was seen
	entries uint64
}

// add verifies the next block of the chain.
func (c *blockChain) add(key, value []byte) (block, error) {
	b, err := openBlock(c.gen, key, value)
	if err != nil {
		return block{}, err
	}
	switch {
	case c.ended:
		return block{}, corruptBlock(c.gen, key, "follows the block marked last")
	case b.index != c.index:
		return block{}, corruptBlock(c.gen, key, fmt.Sprintf("has index %d, expected %d", b.index, c.index))
	case c.index > 0 && !bytes.Equal(b.first(), c.next[:]):
		return block{}, corruptBlock(c.gen, key, fmt.Sprintf("is not the block the previous one names (%s)", maskKey(c.next[:])))
	}
	c.index++
	copy(c.next[:], b.next)
	c.ended = b.last()
	c.entries += uint64(b.len())
	return b, nil
}

// end checks that the chain ended at a block marked last (or had no block)
// and holds want entries.
func (c *blockChain) end(want uint64) error {
	if c.index > 0 && !c.ended {
		return fmt.Errorf("%w: generation %s: blocks end before the one marked last (after %d blocks, next %s)",
			ErrCorrupt, c.gen, c.index, maskKey(c.next[:]))
	}
	if c.entries != want {
		return fmt.Errorf("%w: generation %s holds %d entries, its manifest %d", ErrCorrupt, c.gen, c.entries, want)
	}
	return nil
}

// checkGeneration reads and verifies every block of a generation in order
// and calls fn, if not nil, with each entry. want is the manifest's entry
// count. It is the whole-file consistency check; at 20 M entries it reads
// 420 MB.
func checkGeneration(b *bolt.Bucket, gen []byte, want uint64, fn func(wire.Entry)) error {
	if f := blockFormatOf(gen); f != blockFormatV2 {
		return errLegacyBlocks{gen: string(gen)}
	}
	chain := blockChain{gen: gen}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		blk, err := chain.add(k, v)
		if err != nil {
			return err
		}
		if fn != nil {
			for off := 0; off < len(blk.entries); off += wire.EntrySize {
				fn(wire.DecodeEntry(blk.entries[off:]))
			}
		}
	}
	return chain.end(want)
}

// blockBuilder packs ascending entries into sealed blocks of one
// generation and puts each into the bucket of the current transaction. A
// full block waits (pending) until the first entry of the next one names
// its successor; flush writes what is left, the final block marked last.
//
// A migration from format 1 rewrites a generation through a blockBuilder:
// newBlockBuilder(generationName(seq), BlockEntries), begin(bucket) in each
// transaction, add every entry in order, flush in the last transaction.
type blockBuilder struct {
	gen        []byte
	per        int
	cur        []byte // the block being filled
	pending    []byte // a full block waiting for its successor's first subject
	index      uint32 // of the next block put
	bucket     *bolt.Bucket
	blocksInTx int
	total      uint64
}

func newBlockBuilder(gen []byte, per int) *blockBuilder { return &blockBuilder{gen: gen, per: per} }

// begin starts a transaction's worth of blocks.
func (b *blockBuilder) begin(bucket *bolt.Bucket) { b.bucket, b.blocksInTx = bucket, 0 }

// add appends an entry; entries must arrive strictly ascending.
func (b *blockBuilder) add(e wire.Entry) error {
	if b.cur == nil {
		// A fresh slice per block: bbolt keeps the value until commit.
		b.cur = make([]byte, 0, b.per*wire.EntrySize+blockTrailerSize)
	}
	if len(b.cur) == 0 && b.pending != nil {
		if err := b.put(b.pending, e.Subject[:]); err != nil {
			return err
		}
		b.pending = nil
	}
	b.cur = wire.AppendEntry(b.cur, e)
	b.total++
	if len(b.cur) == b.per*wire.EntrySize {
		b.pending, b.cur = b.cur, nil
	}
	return nil
}

// flush writes the blocks still held, the final one marked last. It ends
// the generation: nothing may be added after it.
func (b *blockBuilder) flush() error {
	if b.pending != nil {
		var next []byte
		if len(b.cur) > 0 {
			next = b.cur[:wire.SubjectKeySize]
		}
		if err := b.put(b.pending, next); err != nil {
			return err
		}
		b.pending = nil
	}
	if len(b.cur) > 0 {
		if err := b.put(b.cur, nil); err != nil {
			return err
		}
		b.cur = nil
	}
	return nil
}

func (b *blockBuilder) put(entries, next []byte) error {
	v := sealBlock(b.gen, entries, next, b.index)
	if err := b.bucket.Put(v[:wire.SubjectKeySize], v); err != nil {
		return err
	}
	b.index++
	b.blocksInTx++
	return nil
}
