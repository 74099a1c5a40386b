package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// blocksPerTx is how many blocks one import transaction writes: about
// 780 k entries and 16 MiB, inside the 1k–10k keys per transaction that
// measured fastest for bulk loads here.
const blocksPerTx = 1000

// Progress reports an import's advance. It is sent after each import
// transaction (at most every blocksPerTx blocks, a few tens of
// milliseconds of work), so a callback may redraw without throttling much.
type Progress struct {
	Entries    uint64 // records read from the snapshot body so far
	Bytes      uint64 // body bytes read so far
	Total      uint64 // records in the snapshot body
	TotalBytes uint64 // bytes in the snapshot body
}

func progressOf(r *wire.Reader, records uint64) Progress {
	size := uint64(wire.EntrySize)
	if r.Manifest.Kind == wire.KindDelta {
		size = wire.ChangeSize
	}
	return Progress{Entries: records, Bytes: records * size, Total: r.Manifest.Records, TotalBytes: r.Manifest.Records * size}
}

// Import imports a verified snapshot reader, full or delta according to
// its manifest: see ImportFull and ApplyDelta.
func (s *Store) Import(ctx context.Context, r *wire.Reader, progress func(Progress)) error {
	switch r.Manifest.Kind {
	case wire.KindFull:
		return s.ImportFull(ctx, r, progress)
	case wire.KindDelta:
		return s.ApplyDelta(ctx, r, progress)
	}
	return fmt.Errorf("import: unknown snapshot kind %q", r.Manifest.Kind)
}

// ImportFull streams a full snapshot into a fresh generation over several
// transactions and makes it current in one final transaction, only after
// the reader has verified the whole body against the signed manifest. Any
// failure — a cancelled ctx, a body that does not match, a disk error —
// drops the new generation and leaves the old snapshot current and
// untouched. A version older than the current one is refused with
// ErrRollback, the current version itself with ErrSameVersion (nothing to
// do; the CLI says "already current"). progress, if not nil, is called
// after each transaction.
func (s *Store) ImportFull(ctx context.Context, r *wire.Reader, progress func(Progress)) error {
	return s.exclusive(r, wire.KindFull, "import full snapshot", progress, func(progress func(Progress)) error {
		return s.importFull(ctx, r, progress)
	})
}

// ApplyDelta merges a delta into the current snapshot, producing a new
// generation that becomes current in one transaction, with the same
// guarantees as ImportFull. It refuses a delta whose base is not the
// current version (ErrBaseMismatch), one that does not lead past the
// current version (ErrRollback), one with no snapshot to apply to
// (ErrNoSnapshot), and one whose result count differs from the
// manifest's result_entries (ErrResultMismatch).
func (s *Store) ApplyDelta(ctx context.Context, r *wire.Reader, progress func(Progress)) error {
	return s.exclusive(r, wire.KindDelta, "apply delta", progress, func(progress func(Progress)) error {
		return s.applyDelta(ctx, r, progress)
	})
}

// exclusive checks that r holds a snapshot of kind, then runs apply with a
// progress callback that is never nil, one import or delta at a time.
func (s *Store) exclusive(r *wire.Reader, kind wire.Kind, what string, progress func(Progress), apply func(func(Progress)) error) error {
	if r.Manifest.Kind != kind {
		return fmt.Errorf("%s: reader holds a %s snapshot", what, r.Manifest.Kind)
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	s.snapshotMu.Lock()
	defer s.snapshotMu.Unlock()
	if err := s.ensureSnapshotFile(kind); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.admit(r.Manifest); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return apply(progress)
}

// importFull streams a full snapshot into a fresh generation, then flips.
//
// Reading is half the work — the reader hashes and checks every entry —
// so it runs in its own goroutine, one transaction's worth of blocks
// ahead of the writer. Two arenas of blocksPerTx blocks take turns: bbolt
// keeps a reference to each value until commit, so an arena goes back to
// the reader only after the transaction that wrote it has committed.
func (s *Store) importFull(ctx context.Context, r *wire.Reader, progress func(Progress)) error {
	if cur, ok := s.Current(); ok {
		switch {
		case r.Manifest.Version < cur.Version:
			return fmt.Errorf("import version %d: %w (current %d)", r.Manifest.Version, ErrRollback, cur.Version)
		case r.Manifest.Version == cur.Version:
			return fmt.Errorf("import version %d: %w", r.Manifest.Version, ErrSameVersion)
		}
	}
	gen, err := s.newGeneration()
	if err != nil {
		return err
	}
	var flipped bool
	defer func() {
		if !flipped {
			s.dropGeneration(gen)
		}
	}()

	free := make(chan []byte, 2)
	for range cap(free) {
		free <- make([]byte, blocksPerTx*(s.blockEntries*wire.EntrySize+blockTrailerSize))
	}
	batches := make(chan importBatch)
	readCtx, stopReading := context.WithCancel(ctx)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		readBatches(readCtx, r, gen, s.blockEntries, free, batches)
	}()
	// The reader must be gone before the caller gets r back.
	defer func() { stopReading(); <-readerDone }()

	verified := false
	for b := range batches {
		if b.err != nil {
			return fmt.Errorf("import version %d: %w", r.Manifest.Version, b.err)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if len(b.blocks) > 0 {
			err := s.snapUpdate(func(tx *bolt.Tx) error {
				bucket := tx.Bucket(gen)
				bucket.FillPercent = 1.0 // blocks arrive in key order
				for _, block := range b.blocks {
					if err := bucket.Put(block[:wire.SubjectKeySize], block); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("import version %d: write: %w", r.Manifest.Version, err)
			}
		}
		free <- b.arena // committed: bbolt holds no reference any more
		progress(progressOf(r, b.read))
		if b.eof {
			verified = true
			break
		}
	}
	if !verified {
		return fmt.Errorf("import: %w", ctx.Err()) // the reader stopped only because ctx ended
	}
	s.phase("verified")
	if err := s.flip(gen, r.Manifest); err != nil {
		return err
	}
	flipped = true
	return nil
}

// importBatch is one transaction's worth of blocks read from a snapshot.
type importBatch struct {
	arena  []byte
	blocks [][]byte // consecutive blocks in arena
	read   uint64   // entries read so far, these included
	eof    bool     // the body ended here and matched its manifest
	err    error    // the body did not match; nothing more follows
}

// readBatches fills arenas from free with blocks of up to per entries
// read from r, seals them as blocks of generation gen (block.go), and sends
// them on out, until the body ends, fails, or ctx is done. It closes out.
//
// A block's trailer names the first subject of the next block, so a block
// is sealed only once its successor is read: the last block read into an
// arena is held back and copied to the front of the next arena (the
// writer may still be putting the rest of its arena), and the final block
// is sealed as the last when the body ends.
func readBatches(ctx context.Context, r *wire.Reader, gen []byte, per int, free <-chan []byte, out chan<- importBatch) {
	defer close(out)
	slot, seg := per*wire.EntrySize+blockTrailerSize, segmentEntries(per)
	held := make([]byte, 0, slot) // the last block read, not yet sealed
	var index uint64
	var read uint64
	for {
		var arena []byte
		select {
		case arena = <-free:
		case <-ctx.Done():
			return
		}
		b := importBatch{arena: arena, blocks: make([][]byte, 0, blocksPerTx)}
		var prev []byte // the block read last, in this arena, not yet sealed
		off := 0
		if len(held) > 0 {
			prev = append(arena[:0:slot], held...)
			held, off = held[:0], slot
		}
		for ; off+slot <= len(arena); off += slot {
			block, err := r.NextBlock(arena[off : off+slot-blockTrailerSize])
			if err == io.EOF {
				b.eof = true
				break
			}
			if err != nil {
				b.err = err
				break
			}
			read += uint64(len(block) / wire.EntrySize)
			if prev != nil {
				b.blocks = append(b.blocks, sealBlock(gen, prev, block[:wire.SubjectKeySize], index == 0, seg))
				index++
			}
			prev = arena[off : off+len(block) : off+slot]
		}
		switch {
		case prev == nil || b.err != nil:
		case b.eof:
			b.blocks = append(b.blocks, sealBlock(gen, prev, nil, index == 0, seg))
		default:
			held = append(held, prev...)
		}
		b.read = read
		select {
		case out <- b:
		case <-ctx.Done():
			return
		}
		if b.eof || b.err != nil {
			return
		}
	}
}

// applyDelta merges the current generation with the delta's changes into
// a new generation, then flips. A 1 % random delta touches nearly every
// block, so rewriting is no slower than patching in place, and it keeps
// the old generation intact for readers until the flip.
func (s *Store) applyDelta(ctx context.Context, r *wire.Reader, progress func(Progress)) error {
	cur, ok := s.Current()
	if !ok {
		return fmt.Errorf("apply delta %d→%d: %w", r.Manifest.BaseVersion, r.Manifest.Version, ErrNoSnapshot)
	}
	if r.Manifest.Version <= cur.Version {
		return fmt.Errorf("apply delta to version %d: %w (current %d)", r.Manifest.Version, ErrRollback, cur.Version)
	}
	if r.Manifest.BaseVersion != cur.Version {
		return fmt.Errorf("apply delta %d→%d: %w (current %d)", r.Manifest.BaseVersion, r.Manifest.Version, ErrBaseMismatch, cur.Version)
	}
	// Only imports change the current generation, and they hold
	// snapshotMu, so the cached name stays right for the whole merge.
	oldGen := s.currentGen()
	gen, err := s.newGeneration()
	if err != nil {
		return err
	}
	var flipped bool
	defer func() {
		if !flipped {
			s.dropGeneration(gen)
		}
	}()

	if blockFormatOf(oldGen) != blockFormatV2 {
		return fmt.Errorf("apply delta %d→%d: %w", r.Manifest.BaseVersion, r.Manifest.Version, errLegacyBlocks{gen: string(oldGen)})
	}
	m := &merger{changes: r, out: newBlockBuilder(gen, s.blockEntries), chain: blockChain{gen: oldGen}}
	var resume []byte // first key of the next old block to merge; nil: start
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("apply delta: %w", err)
		}
		err := s.snapUpdate(func(tx *bolt.Tx) error {
			old, next := tx.Bucket(oldGen), tx.Bucket(gen)
			if old == nil {
				return fmt.Errorf("current generation %s is missing", oldGen)
			}
			next.FillPercent = 1.0
			m.out.begin(next)
			c := old.Cursor()
			k, v := c.First()
			if resume != nil {
				k, v = c.Seek(resume)
			}
			for ; k != nil; k, v = c.Next() {
				if err := m.oldBlock(k, v); err != nil {
					return err
				}
				if m.out.blocksInTx >= blocksPerTx {
					if k, _ = c.Next(); k != nil {
						resume = append(resume[:0], k...)
						return nil
					}
					break
				}
			}
			if err := m.chain.end(cur.ResultEntries); err != nil {
				return err
			}
			if err := m.rest(); err != nil {
				return err
			}
			done = true
			return m.out.flush()
		})
		if err != nil {
			return fmt.Errorf("apply delta %d→%d: %w", r.Manifest.BaseVersion, r.Manifest.Version, err)
		}
		progress(progressOf(r, m.changesRead))
	}
	if m.out.total != r.Manifest.ResultEntries {
		return fmt.Errorf("apply delta %d→%d: %w: %d entries, manifest says %d",
			r.Manifest.BaseVersion, r.Manifest.Version, ErrResultMismatch, m.out.total, r.Manifest.ResultEntries)
	}
	s.phase("verified")
	if err := s.flip(gen, r.Manifest); err != nil {
		return err
	}
	flipped = true
	return nil
}

// merger joins ascending old entries with ascending changes.
type merger struct {
	changes     *wire.Reader
	next        wire.Change
	haveNext    bool
	changesDone bool
	changesRead uint64
	out         *blockBuilder
	chain       blockChain // the old generation's blocks, verified as they are read
}

// oldBlock merges the entries of the next block of the old generation. A
// block that fails its checksum or does not continue the chain ends the
// delta with ErrCorrupt: a merge must not carry damage into the new
// generation under a fresh checksum.
func (m *merger) oldBlock(key, value []byte) error {
	b, err := m.chain.add(key, value)
	if err != nil {
		return err
	}
	for off := 0; off < len(b.entries); off += wire.EntrySize {
		if err := m.old(wire.DecodeEntry(b.entries[off:])); err != nil {
			return err
		}
	}
	return nil
}

func (m *merger) peek() (wire.Change, bool, error) {
	if !m.haveNext && !m.changesDone {
		c, err := m.changes.NextChange()
		switch {
		case err == io.EOF:
			m.changesDone = true
		case err != nil:
			return c, false, err
		default:
			m.next, m.haveNext = c, true
			m.changesRead++
		}
	}
	return m.next, m.haveNext, nil
}

// old merges one old entry: changes before it go out first; a change to
// the same subject replaces or removes it.
func (m *merger) old(e wire.Entry) error {
	for {
		c, ok, err := m.peek()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		cmp := wire.CompareSubjects(c.Entry.Subject, e.Subject)
		if cmp > 0 {
			break
		}
		m.haveNext = false
		if c.Op == wire.OpPut {
			if err := m.out.add(c.Entry); err != nil {
				return err
			}
		}
		if cmp == 0 {
			return nil // replaced or removed
		}
	}
	return m.out.add(e)
}

// rest writes the changes after the last old entry. A removal of a subject
// that was never there changes nothing; the result count check catches a
// delta that does not fit.
func (m *merger) rest() error {
	for {
		c, ok, err := m.peek()
		if err != nil || !ok {
			return err
		}
		m.haveNext = false
		if c.Op == wire.OpPut {
			if err := m.out.add(c.Entry); err != nil {
				return err
			}
		}
	}
}

// newGeneration creates an empty generation bucket with a fresh name.
func (s *Store) newGeneration() ([]byte, error) {
	var name []byte
	err := s.snapUpdate(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		seq := u64(meta.Get([]byte(keyGenSeq))) + 1
		if err := meta.Put([]byte(keyGenSeq), u64bytes(seq)); err != nil {
			return err
		}
		name = generationName(seq)
		_, err := tx.CreateBucket(name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create snapshot generation: %w", err)
	}
	return name, nil
}

// flip makes gen current in one transaction, then drops the old generation
// in another. A crash between the two leaves an orphan that Open drops.
func (s *Store) flip(gen []byte, m *wire.Manifest) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	now := time.Now().UTC()
	var old []byte
	err = s.snapUpdate(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		old = append([]byte(nil), meta.Get([]byte(keyCurrent))...)
		if err := meta.Put([]byte(keyCurrent), gen); err != nil {
			return err
		}
		if err := meta.Put([]byte(keyManifest), raw); err != nil {
			return err
		}
		if err := meta.Put([]byte(keyManifestSum), manifestSum(raw)); err != nil {
			return err
		}
		return meta.Put([]byte(keyImportedAt), []byte(now.Format(time.RFC3339Nano)))
	})
	if err != nil {
		return fmt.Errorf("make snapshot %d current: %w", m.Version, err)
	}
	s.setCurrent(m, now, gen)
	s.phase("flipped")
	if len(old) > 0 && !bytes.Equal(old, gen) {
		s.dropGeneration(old)
	}
	return nil
}

// dropGeneration deletes a generation bucket. Failure is not fatal: the
// orphan is dropped at the next Open.
func (s *Store) dropGeneration(name []byte) {
	_ = s.snapUpdate(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return nil
	})
}
