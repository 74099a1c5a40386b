package hub

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// runRecordSize is one row in a run file: the entry and its line number.
const runRecordSize = wire.EntrySize + 8

// runSorter sorts rows by subject key in bounded memory: it sorts up to
// max rows in memory at a time and writes each sorted run to its own file
// in dir, then merges the runs. Run files hold subject keys (hashes) and
// line numbers only, never an IIN.
type runSorter struct {
	dir  string
	max  int
	buf  []row
	runs []string
}

func newRunSorter(dir string, max int) *runSorter {
	return &runSorter{dir: dir, max: max, buf: make([]row, 0, min(max, 1<<16))}
}

func compareRows(a, b row) int {
	if c := wire.CompareSubjects(a.entry.Subject, b.entry.Subject); c != 0 {
		return c
	}
	switch {
	case a.line < b.line:
		return -1
	case a.line > b.line:
		return 1
	}
	return 0
}

func (s *runSorter) add(r row) error {
	if len(s.buf) == cap(s.buf) && cap(s.buf) < s.max {
		// Grow straight to a whole run: doubling would leave a trail of
		// garbage arrays that the collector lets pile up before it runs.
		s.buf = append(make([]row, 0, s.max), s.buf...)
	}
	s.buf = append(s.buf, r)
	if len(s.buf) >= s.max {
		return s.flush()
	}
	return nil
}

// flush sorts the buffer and writes it as a run.
func (s *runSorter) flush() error {
	slices.SortFunc(s.buf, compareRows)
	path := filepath.Join(s.dir, fmt.Sprintf("run-%04d", len(s.runs)))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sort run: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var rec [runRecordSize]byte
	for _, r := range s.buf {
		r.entry.Put(rec[:])
		binary.BigEndian.PutUint64(rec[wire.EntrySize:], uint64(r.line))
		w.Write(rec[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write sort run: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write sort run: %w", err)
	}
	s.runs = append(s.runs, path)
	s.buf = s.buf[:0]
	return nil
}

// source is one sorted input of the merge.
type source interface {
	next() (row, bool, error)
}

type memSource struct {
	rows []row
	i    int
}

func (m *memSource) next() (row, bool, error) {
	if m.i == len(m.rows) {
		return row{}, false, nil
	}
	m.i++
	return m.rows[m.i-1], true, nil
}

type fileSource struct {
	f *os.File
	r *bufio.Reader
}

func (fs *fileSource) next() (row, bool, error) {
	var rec [runRecordSize]byte
	if _, err := io.ReadFull(fs.r, rec[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return row{}, false, nil
		}
		return row{}, false, fmt.Errorf("read sort run: %w", err)
	}
	return row{entry: wire.DecodeEntry(rec[:]), line: int64(binary.BigEndian.Uint64(rec[wire.EntrySize:]))}, true, nil
}

type mergeItem struct {
	r   row
	src source
}

type mergeHeap []mergeItem

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return compareRows(h[i].r, h[j].r) < 0 }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(mergeItem)) }
func (h *mergeHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// merge calls fn with every row in order of subject key, then line. The
// rows still in memory are the last run and never touch the disk, so an
// input smaller than one run is sorted in memory only.
func (s *runSorter) merge(fn func(row) error) error {
	slices.SortFunc(s.buf, compareRows)
	sources := []source{&memSource{rows: s.buf}}
	for _, path := range s.runs {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open sort run: %w", err)
		}
		defer f.Close()
		sources = append(sources, &fileSource{f: f, r: bufio.NewReaderSize(f, 1<<20)})
	}
	h := make(mergeHeap, 0, len(sources))
	for _, src := range sources {
		r, ok, err := src.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, mergeItem{r, src})
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		top := &h[0]
		if err := fn(top.r); err != nil {
			return err
		}
		r, ok, err := top.src.next()
		if err != nil {
			return err
		}
		if ok {
			top.r = r
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}
