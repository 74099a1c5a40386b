package hub

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// BuildIndex signs the index of the latest published version: its full
// file and the delta chain that ends at it, newest first, for at most
// protocol.MaxChain steps and never more bytes than the full file. It
// returns storage's ErrNotFound before the first import.
func BuildIndex(ctx context.Context, st Storage, keys Keys, cfg Config, now time.Time) ([]byte, *protocol.Index, error) {
	versions, err := st.SnapshotVersions(ctx, ^uint64(0), protocol.MaxChain+1)
	if err != nil {
		return nil, nil, err
	}
	if len(versions) == 0 {
		return nil, nil, fmt.Errorf("snapshot index: %w", ErrNotFound)
	}
	latest := versions[0]
	x := protocol.Index{
		Deployment:  cfg.Deployment,
		PublishedAt: now.UTC().Truncate(time.Second),
		Version:     latest.Version,
		Full:        latest.Full,
	}
	if latest.Transfer.Name != "" {
		t := latest.Transfer
		x.Transfer = &t
	}
	if latest.DCCTrust.Name != "" {
		t := latest.DCCTrust
		x.DCCTrust = &t
	}
	var cost int64
	want := latest.Version
	for _, v := range versions {
		if v.Version != want || !v.HasDelta() || len(x.Deltas) == protocol.MaxChain {
			break
		}
		if cost += v.Delta.Size; cost > latest.Full.Size {
			break
		}
		x.Deltas = append(x.Deltas, v.Delta)
		want = v.Delta.BaseVersion
	}
	doc, err := protocol.SignIndex(x, keys.Hub)
	if err != nil {
		return nil, nil, err
	}
	return doc, &x, nil
}

// WriteIndex rewrites ARTIFACTS/v1/manifest from storage, atomically.
// import calls it after publishing; serve calls it at start, which repairs a
// crash between the two.
//
// Every file the index names must be in ARTIFACTS/v1/files, else it keeps
// the old index and fails, saying which is missing: a hub instance pointed
// at an artifacts directory other than the one import wrote (or a file
// lost from it) must not send kiosks to files it cannot serve.
func WriteIndex(ctx context.Context, a Artifacts, st Storage, keys Keys, cfg Config, now time.Time) (*protocol.Index, error) {
	doc, x, err := BuildIndex(ctx, st, keys, cfg, now)
	if err != nil {
		return nil, err
	}
	refs := append([]protocol.FileRef{x.Full}, x.Deltas...)
	for _, r := range []*protocol.FileRef{x.Transfer, x.DCCTrust} {
		if r != nil {
			refs = append(refs, *r)
		}
	}
	for _, ref := range refs {
		info, err := os.Stat(filepath.Join(a.FilesDir(), ref.Name))
		if err == nil && info.Size() != ref.Size {
			err = fmt.Errorf("%d bytes, published as %d", info.Size(), ref.Size)
		}
		if err != nil {
			return nil, fmt.Errorf("snapshot version %d is published but its file %s in %s is not as published (is this the artifacts directory import wrote?): %w", x.Version, ref.Name, a.FilesDir(), err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(a.ManifestFile()), 0o755); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(a.ManifestFile(), doc, 0o644); err != nil {
		return nil, fmt.Errorf("write snapshot index: %w", err)
	}
	return x, nil
}

// stagedFile is a snapshot file written in the staging directory, waiting
// to be moved into ARTIFACTS/v1/files.
type stagedFile struct {
	path string
	ref  protocol.FileRef
}

// writeStaged writes one snapshot file into dir through write, fsyncs it and
// returns its reference (size and whole-file SHA-256).
func writeStaged(dir, name string, base, version, records uint64, write func(io.Writer) error) (stagedFile, error) {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return stagedFile{}, err
	}
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	bw := bufio.NewWriterSize(cw, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stagedFile{}, fmt.Errorf("write %s: %w", name, err)
	}
	return stagedFile{path: path, ref: protocol.FileRef{
		BaseVersion: base, Version: version, Name: name, Size: cw.n,
		SHA256: hex.EncodeToString(h.Sum(nil)), Records: records,
	}}, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// install moves staged files into the files directory. A file of the same
// name can only be left over from an import that crashed (or failed to
// commit) before it published — names of published versions are never
// reused, because versions only grow, and imports are serialised by their
// lock — so it is replaced.
func install(a Artifacts, files []stagedFile) error {
	if err := os.MkdirAll(a.FilesDir(), 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.Rename(f.path, filepath.Join(a.FilesDir(), f.ref.Name)); err != nil {
			return fmt.Errorf("install %s: %w", f.ref.Name, err)
		}
	}
	return syncDir(a.FilesDir())
}

// entryFile iterates the 21-byte entries of a body file; the sequence may
// be iterated more than once (wire.WriteFull does). Read errors end the
// sequence and are kept in *err.
func entryFile(path string, err *error) iter.Seq[wire.Entry] {
	return recordFile(path, wire.EntrySize, wire.DecodeEntry, "sorted entries", err)
}

// recordFile iterates a file of fixed-size records, each decoded by
// decode; what names the records in a read error, which ends the
// sequence and is kept in *err. The sequence may be iterated more than
// once: each iteration opens the file anew.
func recordFile[T any](path string, size int, decode func([]byte) T, what string, err *error) iter.Seq[T] {
	return func(yield func(T) bool) {
		f, oerr := os.Open(path)
		if oerr != nil {
			*err = oerr
			return
		}
		defer f.Close()
		r := bufio.NewReaderSize(f, 1<<20)
		rec := make([]byte, size)
		for {
			if _, rerr := io.ReadFull(r, rec); rerr != nil {
				if !errors.Is(rerr, io.EOF) {
					*err = fmt.Errorf("read %s: %w", what, rerr)
				}
				return
			}
			if !yield(decode(rec)) {
				return
			}
		}
	}
}

// snapshotEntries iterates the entries of a published full snapshot file,
// verifying it against the hub key as it goes (signature, order, count,
// hash); a failure ends the sequence and is kept in *err.
func snapshotEntries(path string, hubKey ed25519.PublicKey, err *error) iter.Seq[wire.Entry] {
	return func(yield func(wire.Entry) bool) {
		f, oerr := os.Open(path)
		if oerr != nil {
			*err = oerr
			return
		}
		defer f.Close()
		r, oerr := wire.Open(f, hubKey)
		if oerr != nil {
			*err = fmt.Errorf("previous snapshot %s: %w", filepath.Base(path), oerr)
			return
		}
		buf := make([]byte, 4096*wire.EntrySize)
		for {
			b, rerr := r.NextBlock(buf)
			if rerr != nil {
				if !errors.Is(rerr, io.EOF) {
					*err = fmt.Errorf("previous snapshot %s: %w", filepath.Base(path), rerr)
				}
				return
			}
			for off := 0; off < len(b); off += wire.EntrySize {
				if !yield(wire.DecodeEntry(b[off:])) {
					return
				}
			}
		}
	}
}
