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
//	entries   n × 21 bytes, strictly ascending, 1 ≤ n ≤ 16 × seg
//	next      16 bytes: the first subject of the following block of the
//	          generation; all zero for the last block (no subject is zero)
//	seg       1 byte: entries per segment
//	flags     1 byte: blockFirst on the generation's first block
//	crc       16 × 4 bytes, big-endian: one CRC-32C per segment, unused
//	          slots zero
//
// The entries are cut into segments of seg entries (the last may be
// shorter). Segment i's checksum covers the generation's name, seg, flags,
// the segment's entries and the subject that follows the segment (the
// next segment's first, or next): a lookup verifies only the 1 KiB segment
// that may hold its subject, and everything it decides on — the entry,
// the segment's first subject and the one that follows — is covered.
// Seeding with the generation's name refuses a block of another generation
// (a freed page of an earlier import that a damaged branch page points
// into). The segments of a generation's blocks partition the key space, so
// a verified segment that covers the subject is the only one that can hold
// it, however the tree above was damaged; a landing before the first block
// must be on the segment 0 of a block flagged first.
const (
	blockSegments    = 16
	trailerNextOff   = 0
	trailerSegOff    = wire.SubjectKeySize
	trailerFlagsOff  = trailerSegOff + 1
	trailerCRCOff    = trailerFlagsOff + 1
	blockTrailerSize = trailerCRCOff + 4*blockSegments // 82 bytes after the entries

	blockFirst = 0x01 // flags: the generation's first block
)

// segmentEntries is the segment length for blocks of up to per entries.
func segmentEntries(per int) int { return (per + blockSegments - 1) / blockSegments }

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

// sealBlock appends the trailer to a block of entries of generation gen and
// returns the sealed block, the bbolt value. next is the first subject of
// the following block, nil for the last one; first marks the generation's
// first block; seg is segmentEntries of the builder's block size. The
// trailer goes in place when entries has room for it
// (cap ≥ len + blockTrailerSize).
func sealBlock(gen, entries, next []byte, first bool, seg int) []byte {
	n := len(entries) / wire.EntrySize
	if n == 0 || len(entries)%wire.EntrySize != 0 || seg < 1 || seg > 255 || n > blockSegments*seg {
		panic(fmt.Sprintf("store: sealing a block of %d bytes in segments of %d entries", len(entries), seg))
	}
	b := append(entries, make([]byte, blockTrailerSize)...)
	t := b[len(entries):]
	copy(t[trailerNextOff:trailerSegOff], next) // nil leaves the zero "last" marker
	t[trailerSegOff] = byte(seg)
	if first {
		t[trailerFlagsOff] = blockFirst
	}
	v := sealed{entries: b[:len(entries)], trailer: t, n: n, seg: seg}
	prefix := v.prefix(gen)
	for i := range v.segments() {
		binary.BigEndian.PutUint32(t[trailerCRCOff+4*i:], v.sumFrom(prefix, i))
	}
	return b
}

// sealed is a block's value cut into its parts, not yet verified.
type sealed struct {
	entries []byte // n × wire.EntrySize
	trailer []byte // blockTrailerSize bytes
	n, seg  int
}

// parseBlock checks the shape of a block value and cuts it into its
// parts; it verifies no checksum.
func parseBlock(gen, key, value []byte) (sealed, error) {
	size := len(value) - blockTrailerSize
	if size < wire.EntrySize || size%wire.EntrySize != 0 {
		return sealed{}, corruptBlock(gen, key, fmt.Sprintf("is %d bytes", len(value)))
	}
	v := sealed{entries: value[:size], trailer: value[size:], n: size / wire.EntrySize}
	v.seg = int(v.trailer[trailerSegOff])
	if v.seg == 0 || v.n > blockSegments*v.seg {
		return sealed{}, corruptBlock(gen, key, fmt.Sprintf("holds %d entries in segments of %d", v.n, v.seg))
	}
	return v, nil
}

func (v sealed) segments() int { return (v.n + v.seg - 1) / v.seg }
func (v sealed) next() []byte  { return v.trailer[trailerNextOff:trailerSegOff] }
func (v sealed) flags() byte   { return v.trailer[trailerFlagsOff] }
func (v sealed) subject(i int) []byte {
	return v.entries[i*wire.EntrySize : i*wire.EntrySize+wire.SubjectKeySize]
}
func (v sealed) storedSum(i int) uint32 {
	return binary.BigEndian.Uint32(v.trailer[trailerCRCOff+4*i:])
}

// segment returns segment i's entries and the subject that follows them:
// the next segment's first, or the block's next.
func (v sealed) segment(i int) (entries, following []byte) {
	lo, hi := i*v.seg, min(v.n, (i+1)*v.seg)
	if hi < v.n {
		following = v.subject(hi)
	} else {
		following = v.next()
	}
	return v.entries[lo*wire.EntrySize : hi*wire.EntrySize], following
}

// sum is segment i's checksum. The segment's position needs no place in
// it: no two segments hold the same entries.
func (v sealed) sum(gen []byte, i int) uint32 { return v.sumFrom(v.prefix(gen), i) }

// prefix is the checksum state after what every segment's checksum
// starts with: the generation's name, seg and flags.
func (v sealed) prefix(gen []byte) uint32 {
	crc := crc32.Update(0, castagnoli, gen)
	return crc32.Update(crc, castagnoli, v.trailer[trailerSegOff:trailerCRCOff])
}

// sumFrom is segment i's checksum, continued from prefix.
func (v sealed) sumFrom(prefix uint32, i int) uint32 {
	entries, following := v.segment(i)
	return crc32.Update(crc32.Update(prefix, castagnoli, entries), castagnoli, following)
}

// verifySegment checks segment i's checksum.
func (v sealed) verifySegment(gen, key []byte, i int) error {
	return v.verifyFrom(v.prefix(gen), gen, key, i)
}

func (v sealed) verifyFrom(prefix uint32, gen, key []byte, i int) error {
	if v.storedSum(i) != v.sumFrom(prefix, i) {
		return corruptBlock(gen, key, fmt.Sprintf("fails the checksum of its segment %d", i))
	}
	return nil
}

// segmentFor returns the segment that may hold key: the last whose first
// subject is ≤ key, -1 when key is below the block's first subject. It
// reads unverified subjects; the caller verifies the segment it returns,
// which covers both subjects the choice depended on.
func (v sealed) segmentFor(key []byte) int {
	lo, hi := 0, v.segments() // the answer is in [lo-1, hi)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(v.subject(mid*v.seg), key) <= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// block is a verified block, its slices still inside the transaction.
type block struct {
	entries []byte // n × wire.EntrySize, ascending
	next    []byte // first subject of the next block; all zero: the last block
	first   bool   // the generation's first block
	seg     int    // entries per segment
}

// firstSubject is the block's first subject.
func (b block) firstSubject() []byte { return b.entries[:wire.SubjectKeySize] }

// last reports whether no block follows this one.
func (b block) last() bool { return isZeroKey(b.next) }

// len is the number of entries.
func (b block) len() int { return len(b.entries) / wire.EntrySize }

func isZeroKey(k []byte) bool {
	return binary.BigEndian.Uint64(k) == 0 && binary.BigEndian.Uint64(k[8:]) == 0
}

// openBlock verifies the whole block stored under key in generation gen
// (format 2) — every segment, the unused checksum slots and flags, the
// key against the first entry — and returns it. A failure wraps
// ErrCorrupt; it allocates only then.
func openBlock(gen, key, value []byte) (block, error) {
	v, err := parseBlock(gen, key, value)
	if err != nil {
		return block{}, err
	}
	nseg, prefix := v.segments(), v.prefix(gen)
	for i := range nseg {
		if err := v.verifyFrom(prefix, gen, key, i); err != nil {
			return block{}, err
		}
	}
	for i := nseg; i < blockSegments; i++ {
		if v.storedSum(i) != 0 {
			return block{}, corruptBlock(gen, key, fmt.Sprintf("has a checksum in unused slot %d", i))
		}
	}
	if v.flags()&^blockFirst != 0 {
		return block{}, corruptBlock(gen, key, fmt.Sprintf("has unknown flags %#x", v.flags()))
	}
	if !bytes.Equal(key, v.subject(0)) {
		return block{}, corruptBlock(gen, key, "is stored under another key than its first subject")
	}
	return block{entries: v.entries, next: v.next(), first: v.flags()&blockFirst != 0, seg: v.seg}, nil
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
// only the first is flagged first, each starts at the subject the
// previous block named as next, and only the final block is marked last.
// It also counts entries, for a caller to compare with the manifest.
type blockChain struct {
	gen     []byte
	blocks  uint64
	next    [wire.SubjectKeySize]byte // expected first subject of the next block
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
	case b.first != (c.blocks == 0):
		return block{}, corruptBlock(c.gen, key, fmt.Sprintf("is block %d of the generation, flagged first: %v", c.blocks, b.first))
	case c.blocks > 0 && !bytes.Equal(b.firstSubject(), c.next[:]):
		return block{}, corruptBlock(c.gen, key, fmt.Sprintf("is not the block the previous one names (%s)", maskKey(c.next[:])))
	}
	c.blocks++
	copy(c.next[:], b.next)
	c.ended = b.last()
	c.entries += uint64(b.len())
	return b, nil
}

// end checks that the chain ended at a block marked last (or had no block)
// and holds want entries.
func (c *blockChain) end(want uint64) error {
	if c.blocks > 0 && !c.ended {
		return fmt.Errorf("%w: generation %s: blocks end before the one marked last (after %d blocks, next %s)",
			ErrCorrupt, c.gen, c.blocks, maskKey(c.next[:]))
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
	index      uint64 // of the next block put
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
	v := sealBlock(b.gen, entries, next, b.index == 0, segmentEntries(b.per))
	if err := b.bucket.Put(v[:wire.SubjectKeySize], v); err != nil {
		return err
	}
	b.index++
	b.blocksInTx++
	return nil
}
