package store

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// corruptible is a closed store on disk holding one imported snapshot, for
// tests that damage the snapshot file and reopen it.
type corruptible struct {
	dir     string
	entries []wire.Entry
	snap    []byte // the snapshot file as the import left it, up to its last non-zero page
	size    int64  // the whole file: bbolt grows it 16 MiB at a time
}

func newCorruptible(t *testing.T, n, per int) *corruptible {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "k.db"), Options{Create: true, NoSync: true, blockEntries: per})
	if err != nil {
		t.Fatal(err)
	}
	entries := slices.Collect(sortedEntries(n, 11))
	if err := importBytes(s, fullFile(t, 1, slices.Values(entries))); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	snap, err := os.ReadFile(SnapshotPathFor(filepath.Join(dir, "k.db")))
	if err != nil {
		t.Fatal(err)
	}
	used := (len(bytes.TrimRight(snap, "\x00")) + 4095) / 4096 * 4096
	return &corruptible{dir: dir, entries: entries, snap: snap[:min(used, len(snap))], size: int64(len(snap))}
}

// treePages returns the byte ranges of the snapshot file's branch and
// leaf pages in use (overflow included): where a flipped byte can change
// what a reader sees, unlike free pages.
func (c *corruptible) treePages(t *testing.T) [][2]int {
	t.Helper()
	db, err := bolt.Open(SnapshotPathFor(filepath.Join(c.dir, "k.db")), 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pages [][2]int
	ps := db.Info().PageSize
	db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				return nil
			}
			if p.Type == "branch" || p.Type == "leaf" {
				pages = append(pages, [2]int{id * ps, min(len(c.snap), (id+1+p.OverflowCount)*ps)})
				id += p.OverflowCount
			}
		}
	})
	return pages
}

// open writes snap (a damaged copy of c.snap) over the start of the
// snapshot file and opens the store; err is Open's error.
func (c *corruptible) open(t *testing.T, snap []byte) (*Store, error) {
	t.Helper()
	f, err := os.OpenFile(SnapshotPathFor(filepath.Join(c.dir, "k.db")), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt(snap, 0)
	if err == nil {
		err = f.Truncate(c.size)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(c.dir, "k.db"), Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { s.Close() })
	return s, nil
}

// answers checks every listed subject and a missing neighbour of each:
// each lookup must give the imported answer or an error — never another
// status and never a wrong "not listed". It returns how many lookups
// failed with ErrCorrupt and how many with another error.
func (c *corruptible) answers(t *testing.T, s *Store) (corrupt, other int) {
	t.Helper()
	for _, want := range c.entries {
		got, ok, err := s.Lookup(want.Subject)
		switch {
		case errors.Is(err, ErrCorrupt):
			corrupt++
		case err != nil:
			other++
		case !ok:
			t.Fatalf("listed subject %s answered as not listed", want.Subject.Masked())
		case got != want:
			t.Fatalf("subject %s answered %v until %d, imported %v until %d",
				want.Subject.Masked(), got.Status, got.Until, want.Status, want.Until)
		}
		absent := want.Subject
		absent[15] ^= 0x5a
		if _, listed := slices.BinarySearchFunc(c.entries, absent, func(e wire.Entry, k wire.SubjectKey) int { return wire.CompareSubjects(e.Subject, k) }); listed {
			continue
		}
		_, ok, err = s.Lookup(absent)
		switch {
		case errors.Is(err, ErrCorrupt):
			corrupt++
		case err != nil:
			other++
		case ok:
			t.Fatalf("absent subject %s found", absent.Masked())
		}
	}
	return corrupt, other
}

// redInMiddle returns a red entry that is not the first of its block, and
// where its status byte lies in the snapshot file: right after its key,
// which appears there once.
func (c *corruptible) redInMiddle(t *testing.T, per int) (wire.Entry, int) {
	t.Helper()
	for i, e := range c.entries {
		if e.Status != wire.Red || i%per == 0 {
			continue
		}
		if bytes.Count(c.snap, e.Subject[:]) != 1 {
			continue
		}
		at := bytes.Index(c.snap, e.Subject[:]) + wire.SubjectKeySize
		if c.snap[at] != byte(wire.Red) {
			t.Fatalf("byte after the key of a red subject is %#x", c.snap[at])
		}
		return e, at
	}
	t.Fatal("no red subject inside a block")
	return wire.Entry{}, 0
}

// TestStatusByteFlippedOnDisk is the attack of issue 6 on the store: one
// byte of the snapshot file, the status after a red subject's key, 01 → 03.
// Before block checksums the lookup answered green.
func TestStatusByteFlippedOnDisk(t *testing.T) {
	for _, per := range []int{7, BlockEntries} {
		c := newCorruptible(t, 3*BlockEntries, per)
		red, at := c.redInMiddle(t, per)
		snap := bytes.Clone(c.snap)
		snap[at] = byte(wire.Green)
		s, err := c.open(t, snap)
		if err != nil {
			t.Fatalf("blocks of %d: open: %v", per, err)
		}
		got, ok, err := s.Lookup(red.Subject)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("blocks of %d: Lookup of the flipped red subject = %v %v, err %v; want ErrCorrupt", per, got.Status, ok, err)
		}
		if bytes.Contains([]byte(err.Error()), red.Subject[:]) || !bytes.Contains([]byte(err.Error()), []byte(red.Subject.Masked())) {
			t.Fatalf("error does not name the subject masked only: %v", err)
		}
	}
}

// TestKeyBytesFlippedOnDisk flips bytes of a block's bbolt key — in its
// leaf, and where it stands in the branch page above — one at a time. A key flip misroutes searches without touching the block they land
// on; no lookup may answer wrongly, and the damage must be seen.
func TestKeyBytesFlippedOnDisk(t *testing.T) {
	const per = 7
	c := newCorruptible(t, 300, per)
	var flips, seen int
	defer func() { t.Logf("%d key flips, %d seen by lookups, none answered wrongly", flips, seen) }()
	for _, b := range []int{0, 1, 20, len(c.entries)/per - 1} {
		key := c.entries[b*per].Subject
		for i := 0; i < len(c.snap); {
			j := bytes.Index(c.snap[i:], key[:])
			if j < 0 {
				break
			}
			at := i + j
			i = at + 1
			// The leaf's element key (followed by the value it starts),
			// the branch page's copy, the previous block's next; not the
			// value's first entry, which the checksum tests cover.
			if at >= wire.SubjectKeySize && bytes.Equal(c.snap[at-wire.SubjectKeySize:at], key[:]) {
				continue
			}
			for _, k := range []int{0, 1, 7, 8, 15} { // each word's ends, and inside
				snap := bytes.Clone(c.snap)
				snap[at+k] ^= 0x10
				s, err := c.open(t, snap)
				if err != nil {
					continue // found at open: fine
				}
				if corrupt, other := c.answers(t, s); corrupt+other > 0 {
					seen++
				}
				flips++
				s.Close()
			}
		}
	}
}

// TestRandomFlipsNeverAnswerWrongly flips one random byte per trial in a
// branch or leaf page of the snapshot file (free pages change nothing a
// reader sees): the store opens or refuses to, and every
// lookup answers as imported or fails; never another status or a wrong
// "not listed".
func TestRandomFlipsNeverAnswerWrongly(t *testing.T) {
	const per, trials = 7, 200
	c := newCorruptible(t, 1000, per)
	pages := c.treePages(t)
	r := rand.New(rand.NewPCG(6, 6))
	var refused, caught, unseen int
	for range trials {
		snap := bytes.Clone(c.snap)
		p := pages[r.IntN(len(pages))]
		snap[p[0]+r.IntN(p[1]-p[0])] ^= byte(1 + r.IntN(255))
		s, err := c.open(t, snap)
		if err != nil {
			refused++
			continue
		}
		if corrupt, other := c.answers(t, s); corrupt+other > 0 {
			caught++
		} else {
			unseen++ // a free page, slack, or a field no lookup reads
		}
		s.Close()
	}
	t.Logf("%d flips: %d refused at open, %d caught by lookups, %d changed no answer", trials, refused, caught, unseen)
}

// TestEveryByteOfABlockUnderLookups damages a running store, as an SD card
// does under a kiosk: it flips each byte of one stored block in turn, in
// the file under the open store's map, and looks everything up. No answer
// may be wrong, and the lookup that reads the damaged segment must fail:
// the entry itself, a segment's checksum, the next subject (read by the
// last segment), the segment length and flags (read by every segment).
func TestEveryByteOfABlockUnderLookups(t *testing.T) {
	const per, block = 7, 3
	c := newCorruptible(t, 60, per)
	s, err := c.open(t, c.snap)
	if err != nil {
		t.Fatal(err)
	}
	key := c.entries[block*per].Subject
	at := bytes.Index(c.snap, append(bytes.Clone(key[:]), key[:]...)) // the leaf's element key, then the value
	if at < 0 {
		t.Fatal("block not found in the snapshot file")
	}
	at += wire.SubjectKeySize
	size := per*wire.EntrySize + blockTrailerSize
	f, err := os.OpenFile(SnapshotPathFor(filepath.Join(c.dir, "k.db")), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	poke := func(off int, b byte) {
		if _, err := f.WriteAt([]byte{b}, int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	for p := range size {
		var reads int // the entry of the block whose lookup must fail; -1: none
		switch t := p - per*wire.EntrySize; {
		case t < 0:
			reads = p / wire.EntrySize
		case t < trailerSegOff:
			reads = per - 1 // next: read by the last segment
		case t < trailerCRCOff:
			reads = 0 // segment length, flags: read by every segment
		case (t-trailerCRCOff)/4 < per:
			reads = (t - trailerCRCOff) / 4 // one segment per entry
		default:
			reads = -1 // an unused checksum slot: only a delta's full check reads it
		}
		for _, mask := range []byte{0x01, 0x80} {
			poke(at+p, c.snap[at+p]^mask)
			if reads >= 0 {
				want := c.entries[block*per+reads]
				if _, _, err := s.Lookup(want.Subject); !errors.Is(err, ErrCorrupt) {
					t.Errorf("byte %d of the block ^ %#02x: lookup of entry %d: err %v, want ErrCorrupt", p, mask, reads, err)
				}
			}
			c.answers(t, s)
			poke(at+p, c.snap[at+p])
		}
	}
	if corrupt, other := c.answers(t, s); corrupt+other > 0 {
		t.Fatalf("after the repair: %d lookups still fail", corrupt+other)
	}
}
