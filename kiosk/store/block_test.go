package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// blockDB is a bare bbolt file with one generation bucket, for block tests
// that need no Store.
func blockDB(t testing.TB) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "blocks.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// buildGeneration writes entries into bucket gen of db through a
// blockBuilder, txBlocks blocks per transaction, as the import and the
// delta do.
func buildGeneration(t testing.TB, db *bolt.DB, gen []byte, per, txBlocks int, entries []wire.Entry) {
	t.Helper()
	bb := newBlockBuilder(gen, per)
	i := 0
	for done := false; !done; {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(gen)
			if err != nil {
				return err
			}
			b.FillPercent = 1.0
			bb.begin(b)
			for ; i < len(entries); i++ {
				if err := bb.add(entries[i]); err != nil {
					return err
				}
				if bb.blocksInTx >= txBlocks {
					i++
					return nil
				}
			}
			done = true
			return bb.flush()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if bb.total != uint64(len(entries)) {
		t.Fatalf("builder counted %d entries, added %d", bb.total, len(entries))
	}
}

func readGeneration(t testing.TB, db *bolt.DB, gen []byte, want uint64) ([]wire.Entry, error) {
	t.Helper()
	var got []wire.Entry
	err := db.View(func(tx *bolt.Tx) error {
		return checkGeneration(tx.Bucket(gen), gen, want, func(e wire.Entry) { got = append(got, e) })
	})
	return got, err
}

// sampleBlock is a sealed block of n entries, its key and generation.
func sampleBlock(n int) (gen, key, value []byte) {
	gen = generationName(7)
	entries := slices.Collect(sortedEntries(n, 9))
	entries[0].Status = wire.Red
	var raw []byte
	for _, e := range entries {
		raw = wire.AppendEntry(raw, e)
	}
	next := wire.SubjectKey{0xfe, 1, 2, 3}
	value = sealBlock(gen, raw, next[:], false, segmentEntries(n))
	return gen, bytes.Clone(value[:wire.SubjectKeySize]), value
}

func TestSealOpenRoundTrip(t *testing.T) {
	gen, key, value := sampleBlock(5)
	b, err := openBlock(gen, key, value)
	if err != nil {
		t.Fatal(err)
	}
	if b.len() != 5 || b.first || b.last() || b.seg != 1 || !bytes.Equal(b.next, []byte{0xfe, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("opened block: %d entries, first %v, segments of %d, next %x", b.len(), b.first, b.seg, b.next)
	}
	if !bytes.Equal(b.firstSubject(), key) {
		t.Fatalf("first %x, key %x", b.firstSubject(), key)
	}
	// The first and last block of a generation: flagged, next is the zero marker.
	only := sealBlock(gen, bytes.Clone(b.entries), nil, true, 1)
	if lb, err := openBlock(gen, key, only); err != nil || !lb.last() || !lb.first {
		t.Fatalf("only block: %+v %v", lb, err)
	}
	// A full block: 16 segments.
	_, fk, fv := sampleBlock(BlockEntries)
	if fb, err := openBlock(gen, fk, fv); err != nil || fb.len() != BlockEntries || fb.seg != segmentEntries(BlockEntries) {
		t.Fatalf("full block: %d entries, segments of %d, %v", fb.len(), fb.seg, err)
	}
}

// TestSealInPlace: a block with room for its trailer is sealed without a
// copy, so the import seals its arena slots where they lie.
func TestSealInPlace(t *testing.T) {
	buf := make([]byte, 0, 2*wire.EntrySize+blockTrailerSize)
	buf = wire.AppendEntry(buf, wire.Entry{Subject: wire.SubjectKey{1}, Status: wire.Red})
	buf = wire.AppendEntry(buf, wire.Entry{Subject: wire.SubjectKey{2}, Status: wire.Red})
	sealed := sealBlock(generationName(1), buf, nil, true, 1)
	if &sealed[0] != &buf[0] || len(sealed) != cap(buf) {
		t.Fatal("sealBlock copied a block that had room for its trailer")
	}
	if n := testing.AllocsPerRun(100, func() { sealBlock(generationName(1), buf, nil, true, 1) }); n > 1 { // generationName allocates
		t.Fatalf("sealBlock allocates %v times", n)
	}
}

// TestEveryFlippedByteIsCaught flips four bit patterns in every byte of a
// small block — entries, next, segment length, flags and checksums — and in
// every byte of its bbolt key: each must fail with ErrCorrupt, never open.
func TestEveryFlippedByteIsCaught(t *testing.T) {
	gen, key, value := sampleBlock(5)
	for _, mask := range []byte{0x01, 0x02, 0x80, 0xff} {
		for i := range value {
			v := bytes.Clone(value)
			v[i] ^= mask
			if _, err := openBlock(gen, key, v); !errors.Is(err, ErrCorrupt) {
				t.Errorf("value byte %d ^ %#02x: err %v, want ErrCorrupt", i, mask, err)
			}
		}
		for i := range key {
			k := bytes.Clone(key)
			k[i] ^= mask
			if _, err := openBlock(gen, k, value); !errors.Is(err, ErrCorrupt) {
				t.Errorf("key byte %d ^ %#02x: err %v, want ErrCorrupt", i, mask, err)
			}
		}
	}
	// The attack of issue 6: the first entry's status byte, red 01 → green 03.
	v := bytes.Clone(value)
	if v[wire.SubjectKeySize] != byte(wire.Red) {
		t.Fatal("sample block does not start with a red entry")
	}
	v[wire.SubjectKeySize] = byte(wire.Green)
	if _, err := openBlock(gen, key, v); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("status byte changed: %v", err)
	}
}

func TestBlockShapeAndGeneration(t *testing.T) {
	gen, key, value := sampleBlock(5)
	cases := map[string]struct {
		gen, key, value []byte
	}{
		"another generation":  {generationName(8), key, value},
		"empty":               {gen, key, nil},
		"trailer only":        {gen, key, value[len(value)-blockTrailerSize:]},
		"cut by one byte":     {gen, key, value[:len(value)-1]},
		"cut by one entry":    {gen, key, value[wire.EntrySize:]},
		"one byte more":       {gen, key, append(bytes.Clone(value), 0)},
		"short key":           {gen, key[:15], value},
		"long key":            {gen, append(bytes.Clone(key), 0), value},
		"format 1 block body": {gen, key, value[:len(value)-blockTrailerSize]},
		"unknown flag":        {gen, key, sealFlags(value, 0x80)},
		"unused checksum set": {gen, key, withUnusedSum(value)},
	}
	for name, c := range cases {
		if _, err := openBlock(c.gen, c.key, c.value); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		}
	}
}

// sealFlags is value with other flags, its checksums recomputed.
func sealFlags(value []byte, flags byte) []byte {
	v := bytes.Clone(value)
	n := len(v) - blockTrailerSize
	t := v[n:]
	return sealBlockFlags(generationName(7), v[:n], t[:wire.SubjectKeySize], flags, int(t[trailerSegOff]))
}

// sealBlockFlags seals like sealBlock with any flags byte.
func sealBlockFlags(gen, entries, next []byte, flags byte, seg int) []byte {
	b := sealBlock(gen, entries, next, false, seg)
	t := b[len(entries):]
	t[trailerFlagsOff] = flags
	v := sealed{entries: b[:len(entries)], trailer: t, n: len(entries) / wire.EntrySize, seg: seg}
	for i := range v.segments() {
		binary.BigEndian.PutUint32(t[trailerCRCOff+4*i:], v.sum(gen, i))
	}
	return b
}

// withUnusedSum is value with a checksum in its last, unused slot.
func withUnusedSum(value []byte) []byte {
	v := bytes.Clone(value)
	v[len(v)-1] = 1
	return v
}

func TestBlockFormatOf(t *testing.T) {
	for name, want := range map[string]int{
		string(generationName(1)):        blockFormatV2,
		"gen-c2-0000000000000042":        blockFormatV2,
		"gen-0000000000000042":           blockFormatV1,
		"gen-c2-000000000000004":         0,
		"gen-c2-00000000000000420":       0,
		"gen-x":                          0,
		"meta":                           0,
		"gen-c3-0000000000000042":        0,
		"gen-c2-000000000000004a":        0,
		string(generationName(1 << 62)):  0, // 19 digits: never handed out
		string(generationName(12345678)): blockFormatV2,
	} {
		if got := blockFormatOf([]byte(name)); got != want {
			t.Errorf("blockFormatOf(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestUpgradedGenerationName(t *testing.T) {
	name, ok := upgradedGenerationName([]byte("gen-0000000000000042"))
	if !ok || string(name) != "gen-c2-0000000000000042" || blockFormatOf(name) != blockFormatV2 {
		t.Fatalf("upgraded name %q %v", name, ok)
	}
	for _, n := range []string{"gen-c2-0000000000000042", "meta", "gen-42"} {
		if _, ok := upgradedGenerationName([]byte(n)); ok {
			t.Errorf("%q upgraded", n)
		}
	}
}

// TestBuilderChain: whatever the block size, count and transaction
// boundaries, the builder writes one unbroken chain that reads back whole.
func TestBuilderChain(t *testing.T) {
	for _, per := range []int{1, 2, 7} {
		for _, n := range []int{0, 1, per - 1, per, per + 1, 3 * per, 3*per + 1, 50} {
			if n < 0 {
				continue
			}
			for _, txBlocks := range []int{1, 2, 1000} {
				t.Run(fmt.Sprintf("per%d/n%d/tx%d", per, n, txBlocks), func(t *testing.T) {
					db := blockDB(t)
					gen := generationName(1)
					want := slices.Collect(sortedEntries(n, 3))
					buildGeneration(t, db, gen, per, txBlocks, want)
					got, err := readGeneration(t, db, gen, uint64(n))
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("read back %d entries, wrote %d", len(got), len(want))
					}
				})
			}
		}
	}
}

// TestBrokenChain: blocks that each verify but do not form the generation
// — one missing, one moved in from another generation, the last one gone,
// an entry count that differs from the manifest — fail the chain check.
func TestBrokenChain(t *testing.T) {
	const per, n = 4, 20 // 5 blocks
	entries := slices.Collect(sortedEntries(n, 3))
	gen := generationName(1)
	keyOf := func(block int) []byte { return bytes.Clone(entries[block*per].Subject[:]) }
	cases := map[string]func(tx *bolt.Tx) error{
		"middle block missing": func(tx *bolt.Tx) error { return tx.Bucket(gen).Delete(keyOf(2)) },
		"first block missing":  func(tx *bolt.Tx) error { return tx.Bucket(gen).Delete(keyOf(0)) },
		"last block missing":   func(tx *bolt.Tx) error { return tx.Bucket(gen).Delete(keyOf(4)) },
		"block of another generation": func(tx *bolt.Tx) error {
			b := tx.Bucket(gen)
			v := bytes.Clone(b.Get(keyOf(1)))
			n := len(v) - blockTrailerSize
			return b.Put(keyOf(1), sealBlock(generationName(2), v[:n], v[n:n+wire.SubjectKeySize], false, segmentEntries(per)))
		},
		"a later block flagged first": func(tx *bolt.Tx) error {
			b := tx.Bucket(gen)
			v := bytes.Clone(b.Get(keyOf(2)))
			n := len(v) - blockTrailerSize
			return b.Put(keyOf(2), sealBlock(gen, v[:n], v[n:n+wire.SubjectKeySize], true, segmentEntries(per)))
		},
		"extra block after the last": func(tx *bolt.Tx) error {
			extra := wire.AppendEntry(nil, wire.Entry{Subject: wire.SubjectKey{0xff, 0xff}, Status: wire.Red})
			return tx.Bucket(gen).Put(extra[:wire.SubjectKeySize], sealBlock(gen, extra, nil, false, 1))
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			db := blockDB(t)
			buildGeneration(t, db, gen, per, 1000, entries)
			if err := db.Update(damage); err != nil {
				t.Fatal(err)
			}
			if _, err := readGeneration(t, db, gen, n); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
		})
	}
	t.Run("count differs from the manifest", func(t *testing.T) {
		db := blockDB(t)
		buildGeneration(t, db, gen, per, 1000, entries)
		if _, err := readGeneration(t, db, gen, n+1); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err %v, want ErrCorrupt", err)
		}
	})
	t.Run("format 1 generation", func(t *testing.T) {
		db := blockDB(t)
		old := []byte("gen-0000000000000001")
		buildGeneration(t, db, old, per, 1000, entries)
		_, err := readGeneration(t, db, old, n)
		if !errors.As(err, new(errLegacyBlocks)) {
			t.Fatalf("err %v, want errLegacyBlocks", err)
		}
	})
}

// TestBlockPageFit checks the arithmetic of docs/storage.md against
// bbolt's real layout: with FillPercent 1.0 a leaf holds two blocks (the
// last leaf up to four), and two full blocks with their trailers take
// eight 4 KiB pages, no more.
func TestBlockPageFit(t *testing.T) {
	const (
		pageHeader  = 16 // common.PageHeaderSize in bbolt v1.5.0
		leafElement = 16 // common.LeafPageElementSize
		page        = 4096
	)
	elem := leafElement + wire.SubjectKeySize + BlockEntries*wire.EntrySize + blockTrailerSize
	if two := pageHeader + 2*elem; two > 8*page {
		t.Fatalf("a leaf of two blocks is %d bytes, more than 8 pages", two)
	}
	for k := 3; k <= 4; k++ { // the last leaf of a bucket
		if sz := pageHeader + k*elem; (sz+page-1)/page > 4*k {
			t.Fatalf("a leaf of %d blocks is %d bytes, more than %d pages", k, sz, 4*k)
		}
	}

	const blocks = 40
	db := blockDB(t)
	if db.Info().PageSize != page {
		t.Skipf("page size %d", db.Info().PageSize)
	}
	gen := generationName(1)
	buildGeneration(t, db, gen, BlockEntries, 7, slices.Collect(sortedEntries(blocks*BlockEntries, 5)))
	db.View(func(tx *bolt.Tx) error {
		st := tx.Bucket(gen).Stats()
		pages := st.LeafPageN + st.LeafOverflowN
		if st.KeyN != blocks || pages != 4*blocks {
			t.Errorf("%d blocks on %d leaf pages (%d leaves), want %d pages", st.KeyN, pages, st.LeafPageN, 4*blocks)
		}
		return nil
	})
}

// FuzzOpenBlock: no value and key, however damaged, makes openBlock panic,
// and it accepts only what sealBlock writes: an accepted block seals back
// to exactly the bytes it was read from.
func FuzzOpenBlock(f *testing.F) {
	gen, key, value := sampleBlock(3)
	f.Add(key, value)
	f.Add(key, value[:len(value)-1])
	f.Add([]byte{}, []byte{})
	_, k1, v1 := sampleBlock(1)
	f.Add(k1, v1)
	f.Fuzz(func(t *testing.T, key, value []byte) {
		b, err := openBlock(gen, key, value)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		again := sealBlock(gen, bytes.Clone(b.entries), b.next, b.first, b.seg)
		if !bytes.Equal(again, value) || !bytes.Equal(key, b.firstSubject()) {
			t.Fatalf("accepted a block that does not seal back to itself")
		}
	})
}

// BenchmarkOpenBlock verifies one whole full block (774 entries, 16,336
// bytes, 16 segments) that is already in the CPU cache, as a delta does;
// BenchmarkVerifySegment one segment of it, as a lookup does.
//
//	go test ./kiosk/store -run '^$' -bench OpenBlock -count 5
func BenchmarkOpenBlock(b *testing.B) {
	gen, key, value := sampleBlock(BlockEntries)
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := openBlock(gen, key, value); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySegment(b *testing.B) {
	gen, key, value := sampleBlock(BlockEntries)
	v, err := parseBlock(gen, key, value)
	if err != nil {
		b.Fatal(err)
	}
	entries, _ := v.segment(7)
	b.SetBytes(int64(len(entries)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.verifySegment(gen, key, 7); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzSearchLanded: the lookup's path through a block — parse, pick a
// segment, verify it, search it — never panics on any value and key, and
// on a block that verifies whole it answers as a search of the whole
// block does.
func FuzzSearchLanded(f *testing.F) {
	gen, key, value := sampleBlock(5)
	_, fk, fv := sampleBlock(BlockEntries)
	f.Add(key, value, key)
	f.Add(fk, fv, fv[20*wire.EntrySize:20*wire.EntrySize+wire.SubjectKeySize])
	f.Add(key, value[:len(value)-3], key)
	f.Add(fk, fv, append(append(bytes.Clone(fv[300*wire.EntrySize:300*wire.EntrySize+wire.SubjectKeySize]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0), 1))
	f.Add([]byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, k, value, probe []byte) {
		var subject wire.SubjectKey
		copy(subject[:], probe)
		var upper []byte
		if len(probe) > 2*wire.SubjectKeySize {
			upper = probe[wire.SubjectKeySize : 2*wire.SubjectKeySize]
		}
		e, found, err := searchLanded(gen, k, value, upper, subject)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not wrap ErrCorrupt: %v", err)
			}
			return
		}
		whole, werr := openBlock(gen, k, value)
		if werr != nil {
			return // a damaged segment the search did not read
		}
		i, ok := searchBlock(whole.entries, subject)
		if ok != found || ok && wire.DecodeEntry(whole.entries[i*wire.EntrySize:]) != e {
			t.Fatalf("segment search %v %v, whole block %v", e, found, ok)
		}
	})
}
