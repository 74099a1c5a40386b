package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// checkPages walks a bbolt file's page tree from its raw bytes, before
// bbolt maps it, and refuses structure that would send bbolt somewhere it
// cannot come back from: a page id outside the file, a page that does not
// say it is the page it should be, a cycle or a page referenced twice, an
// element, key or value beyond its page, an overflow count past the end
// of the file, a freelist longer than its pages. bbolt trusts all of these:
// a cycle makes a cursor descend forever, a flipped overflow count makes
// bbolt's own check allocate without bound — neither is a fault that the
// storage guard could catch.
//
// full walks every page (the visit file, a few megabytes). Otherwise the
// leaves of the buckets below the top level are only checked by their
// header (the snapshot file: its blocks have their own checksums, and a
// lookup reads a leaf under the storage guard).
func checkPages(path string, full bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := readMeta(f)
	if err != nil {
		return err
	}
	w := &pageWalker{f: f, ps: int64(m.pageSize), hwm: m.highWater, full: full, seen: map[uint64]bool{}}
	if m.freelist != noFreelist {
		if err := w.freelist(m.freelist); err != nil {
			return err
		}
	}
	return w.tree(m.root, 0, true)
}

// bbolt page layout (go.etcd.io/bbolt/internal/common).
const (
	branchPageFlag  = 0x01
	leafPageFlag    = 0x02
	freelistFlag    = 0x10
	bucketLeafFlag  = 0x01
	pageElementSize = 16 // branch and leaf elements alike
	bucketHeader    = 16 // root page id, sequence
	maxTreeDepth    = 32
)

type pageWalker struct {
	f    *os.File
	ps   int64
	hwm  uint64
	full bool
	seen map[uint64]bool
}

func corruptPage(id uint64, format string, args ...any) error {
	return fmt.Errorf("%w: page %d: %s", ErrCorrupt, id, fmt.Sprintf(format, args...))
}

// read returns page id with its overflow pages, after checking its header.
// headerOnly reads and checks just the header.
func (w *pageWalker) read(id uint64, headerOnly bool) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, corruptPage(id, "outside the file's %d pages", w.hwm)
	}
	head := make([]byte, pageHeaderSize)
	if _, err := w.f.ReadAt(head, int64(id)*w.ps); err != nil {
		return nil, corruptPage(id, "unreadable: %v", err)
	}
	ne := binary.NativeEndian
	if got := ne.Uint64(head); got != id {
		return nil, corruptPage(id, "says it is page %d", got)
	}
	overflow := uint64(ne.Uint32(head[12:]))
	if id+overflow >= w.hwm {
		return nil, corruptPage(id, "%d overflow pages run past the file's %d pages", overflow, w.hwm)
	}
	for p := id; p <= id+overflow; p++ {
		if w.seen[p] {
			return nil, corruptPage(p, "referenced twice")
		}
		w.seen[p] = true
	}
	if headerOnly {
		return head, nil
	}
	buf := make([]byte, int64(overflow+1)*w.ps)
	if _, err := w.f.ReadAt(buf, int64(id)*w.ps); err != nil && err != io.EOF {
		return nil, corruptPage(id, "unreadable: %v", err)
	}
	return buf, nil
}

func (w *pageWalker) freelist(id uint64) error {
	p, err := w.read(id, false)
	if err != nil {
		return err
	}
	ne := binary.NativeEndian
	if flags := ne.Uint16(p[8:]); flags&freelistFlag == 0 {
		return corruptPage(id, "freelist page has flags %#x", flags)
	}
	n, start := uint64(ne.Uint16(p[10:])), uint64(pageHeaderSize)
	if n == 0xFFFF { // the real count is the first element
		if len(p) < pageHeaderSize+8 {
			return corruptPage(id, "freelist too short")
		}
		n, start = ne.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > (uint64(len(p))-start)/8 {
		return corruptPage(id, "freelist of %d ids does not fit its pages", n)
	}
	for i := uint64(0); i < n; i++ {
		if free := ne.Uint64(p[start+8*i:]); free < 2 || free >= w.hwm {
			return corruptPage(id, "free page %d outside the file", free)
		}
	}
	return nil
}

// tree checks the subtree rooted at page id. top is true for the top-level
// bucket, whose leaves hold the bucket headers.
func (w *pageWalker) tree(id uint64, depth int, top bool) error {
	if depth > maxTreeDepth {
		return corruptPage(id, "tree deeper than %d", maxTreeDepth)
	}
	p, err := w.read(id, false)
	if err != nil {
		return err
	}
	return w.page(id, p, depth, top)
}

// page checks one branch or leaf page held in p (a page of the file, or
// an inline bucket's page).
func (w *pageWalker) page(id uint64, p []byte, depth int, top bool) error {
	ne := binary.NativeEndian
	flags, count := ne.Uint16(p[8:]), int(ne.Uint16(p[10:]))
	if pageHeaderSize+count*pageElementSize > len(p) {
		return corruptPage(id, "%d elements do not fit the page", count)
	}
	elem := func(i int) []byte { return p[pageHeaderSize+i*pageElementSize:] }
	// span returns p[off:off+n] relative to element i, or false.
	span := func(i int, off, n uint64) ([]byte, bool) {
		start := uint64(pageHeaderSize+i*pageElementSize) + off
		if start+n > uint64(len(p)) || start+n < start {
			return nil, false
		}
		return p[start : start+n], true
	}
	switch {
	case flags&branchPageFlag != 0:
		if count == 0 {
			return corruptPage(id, "empty branch page")
		}
		for i := range count {
			e := elem(i)
			if _, ok := span(i, uint64(ne.Uint32(e[0:])), uint64(ne.Uint32(e[4:]))); !ok {
				return corruptPage(id, "branch key %d beyond the page", i)
			}
			child := ne.Uint64(e[8:])
			if w.full || top || depth == 0 {
				if err := w.tree(child, depth+1, top); err != nil {
					return err
				}
				continue
			}
			if err := w.child(child, depth+1); err != nil {
				return err
			}
		}
	case flags&leafPageFlag != 0:
		for i := range count {
			e := elem(i)
			pos, ksize, vsize := uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
			kv, ok := span(i, pos, ksize+vsize)
			if !ok {
				return corruptPage(id, "leaf element %d beyond the page", i)
			}
			if ne.Uint32(e[0:])&bucketLeafFlag == 0 {
				continue
			}
			v := kv[ksize:]
			if len(v) < bucketHeader {
				return corruptPage(id, "bucket header %d too short", i)
			}
			if root := ne.Uint64(v); root != 0 {
				if err := w.tree(root, depth+1, false); err != nil {
					return err
				}
				continue
			}
			inline := v[bucketHeader:]
			if len(inline) < pageHeaderSize {
				return corruptPage(id, "inline bucket %d too short", i)
			}
			if err := w.page(id, inline, depth+1, false); err != nil {
				return err
			}
		}
	default:
		return corruptPage(id, "flags %#x: neither branch nor leaf", flags)
	}
	return nil
}

// child checks a page below a branch page of the snapshot file: a branch
// page is walked, a leaf only checked by its header.
func (w *pageWalker) child(id uint64, depth int) error {
	if depth > maxTreeDepth {
		return corruptPage(id, "tree deeper than %d", maxTreeDepth)
	}
	head, err := w.read(id, true)
	if err != nil {
		return err
	}
	switch flags := binary.NativeEndian.Uint16(head[8:]); {
	case flags&branchPageFlag != 0:
		delete(w.seen, id) // read again, whole
		for p := id; p <= id+uint64(binary.NativeEndian.Uint32(head[12:])); p++ {
			delete(w.seen, p)
		}
		return w.tree(id, depth, false)
	case flags&leafPageFlag != 0:
		return nil
	default:
		return corruptPage(id, "flags %#x: neither branch nor leaf", flags)
	}
}
