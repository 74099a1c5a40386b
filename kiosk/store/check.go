package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"

	bolt "go.etcd.io/bbolt"
)

// What Open checks before and after trusting a bbolt file.
//
// bbolt maps the file and follows page ids it finds in it. A file shorter
// than its meta page says (truncated by a full disk, a bad copy, an SD
// card) makes bbolt read past the end of the map at open: a fault that
// kills the process. checkMeta reads the two meta pages itself and
// refuses such a file before bbolt sees it. checkTx then walks every
// bucket of the (small) visit file under the storage guard and runs
// bbolt's own consistency check, so damage is found at open, not at the
// first Record. The snapshot file, hundreds of megabytes, is not walked
// at open: its pages are read under the guard as lookups reach them, and
// its blocks carry their own checksums.

// bbolt's on-disk meta page (go.etcd.io/bbolt/internal/common.Meta),
// after the 16-byte page header, in the machine's byte order.
const (
	pageHeaderSize = 16
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
	metaSumOffset  = 56 // the checksum covers the meta up to itself
	metaSize       = 64
	noFreelist     = ^uint64(0)
)

type metaPage struct {
	pageSize        uint32
	root, freelist  uint64
	highWater, txid uint64
}

// parseMeta decodes and validates one meta page; ok is false when it is
// not a valid bbolt meta page.
func parseMeta(b []byte) (m metaPage, ok bool) {
	if len(b) < pageHeaderSize+metaSize {
		return m, false
	}
	b = b[pageHeaderSize:]
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != metaMagic || ne.Uint32(b[4:]) != metaVersion {
		return m, false
	}
	h := fnv.New64a()
	h.Write(b[:metaSumOffset])
	if h.Sum64() != ne.Uint64(b[metaSumOffset:]) {
		return m, false
	}
	m = metaPage{pageSize: ne.Uint32(b[8:]), root: ne.Uint64(b[16:]), freelist: ne.Uint64(b[32:]),
		highWater: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	return m, m.pageSize >= 512 && m.pageSize <= 1<<16 && m.pageSize&(m.pageSize-1) == 0
}

// checkMeta refuses a bbolt file whose meta pages are both invalid, or
// whose current meta page (the valid one with the higher transaction id,
// as bbolt picks) records more pages than the file holds, or a root or
// freelist page beyond them.
func checkMeta(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = readMeta(f)
	return err
}

// readMeta reads and checks the meta pages of an open bbolt file, and
// returns the one bbolt will use.
func readMeta(f *os.File) (metaPage, error) {
	st, err := f.Stat()
	if err != nil {
		return metaPage{}, err
	}
	size := st.Size()
	buf := make([]byte, pageHeaderSize+metaSize)
	readAt := func(off int64) (metaPage, bool) {
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return metaPage{}, false
		}
		return parseMeta(buf)
	}
	m0, ok0 := readAt(0)
	var m1 metaPage
	ok1 := false
	if ok0 {
		m1, ok1 = readAt(int64(m0.pageSize))
	} else {
		for ps := int64(512); ps <= 1<<16 && !ok1; ps *= 2 {
			m1, ok1 = readAt(ps)
			ok1 = ok1 && int64(m1.pageSize) == ps
		}
	}
	var m metaPage
	switch {
	case ok0 && ok1:
		m = m0
		if m1.txid > m0.txid {
			m = m1
		}
	case ok0:
		m = m0
	case ok1:
		m = m1
	default:
		return m, fmt.Errorf("%w: no valid bbolt meta page (not a store, or its first pages are damaged)", ErrCorrupt)
	}
	pages := uint64(size) / uint64(m.pageSize)
	switch {
	case m.highWater > pages:
		return m, fmt.Errorf("%w: the file is %d bytes, its meta page records %d pages of %d bytes (truncated?)",
			ErrCorrupt, size, m.highWater, m.pageSize)
	case m.root < 2 || m.root >= m.highWater:
		return m, fmt.Errorf("%w: root page %d outside the file's %d pages", ErrCorrupt, m.root, m.highWater)
	case m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.highWater):
		return m, fmt.Errorf("%w: freelist page %d outside the file's %d pages", ErrCorrupt, m.freelist, m.highWater)
	}
	return m, nil
}

// checkTx walks every bucket, key and value of tx — touching every page
// a reader can reach, in this goroutine, under the storage guard the
// caller holds — and then runs bbolt's consistency check (every page
// reachable or free exactly once, keys in order). The walk comes first
// because bbolt's check runs in a goroutine of its own, where a fault
// cannot be caught: after the walk, every page it will read is known to
// be inside the file.
//
// Generation buckets are skipped by the walk; full is false for a file
// that still holds them (the single-file layout), where bbolt's check
// would read them too.
func checkTx(tx *bolt.Tx, full bool) error {
	var sum byte
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		if isGeneration(name) {
			return nil
		}
		return walkBucket(b, &sum)
	})
	if err != nil || !full {
		return err
	}
	var errs []error
	for err := range tx.Check() {
		if len(errs) < 5 {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrCorrupt, errors.Join(errs...))
	}
	return nil
}

func walkBucket(b *bolt.Bucket, sum *byte) error {
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if child := b.Bucket(k); child != nil {
				return walkBucket(child, sum)
			}
			return nil
		}
		for _, c := range v {
			*sum ^= c // read every value byte: overflow pages too
		}
		return nil
	})
}
