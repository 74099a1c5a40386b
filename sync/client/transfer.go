package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/transfer"
)

// fetchFull brings the kiosk to the index's full snapshot. When the index
// offers the transfer form (sync/transfer: ~13.6 instead of 21 bytes a
// subject, which on a slow mobile link is the difference between about 36
// and 56 minutes for 20 million subjects), the kiosk downloads that and
// decodes it to the full file's bytes; otherwise it downloads the full
// file. fellBack says the transfer form was offered, refused, and the full
// file taken instead: a hub or mirror with a broken or missing .dcx must
// not keep a kiosk on old data. A transfer that fails only for now (the
// network) is not a reason to fetch 50 % more bytes: it is returned, and
// the next check resumes it with Range.
func (c *Client) fetchFull(ctx context.Context, attempts int, x *protocol.Index, progress func(store.Progress)) (fellBack bool, err error) {
	if x.Transfer == nil {
		return false, c.fetchAndApply(ctx, attempts, x.Full, progress)
	}
	verified, err := c.fetchTransfer(ctx, attempts, *x.Transfer, x.Full, progress)
	// Once the decoded bytes hash to full.sha256 they are the full file:
	// downloading it again could only fail the same way.
	if err == nil || verified || ctx.Err() != nil || transient(ctx, err) || errors.Is(err, ErrRevoked) {
		return false, err
	}
	c.log.Warn("transfer form refused; taking the full file", "transfer", x.Transfer.Name, "err", words(err))
	if fullErr := c.fetchAndApply(ctx, attempts, x.Full, progress); fullErr != nil {
		// Both are said: the full file's failure decides what happens
		// next (retry or not), the transfer form's is why it was fetched.
		return true, fmt.Errorf("%v; then the full file: %w", err, fullErr)
	}
	return true, nil
}

// fetchTransfer downloads the transfer form t (resuming a staged part like
// any file), checks its size and SHA-256 against the signed index, decodes
// it on disk and checks that the decoded bytes are exactly the full file
// the index names (size and SHA-256) before applyFile opens them against
// the pinned key as it would the full file itself. verified is true once
// the decoded bytes passed that check, so that a failure after it is the
// full file's, not the transfer form's. Staged files are removed once
// applied or found bad; a download broken by the network stays for Range.
func (c *Client) fetchTransfer(ctx context.Context, attempts int, t, full protocol.FileRef, progress func(store.Progress)) (verified bool, err error) {
	path := filepath.Join(c.opt.Dir, ".download-"+t.Name)
	c.update(func(s *kiosk.SyncState) { s.Downloading, s.Downloaded, s.DownloadSize = true, 0, t.Size })
	defer c.update(func(s *kiosk.SyncState) { s.Downloading = false })
	if err := c.retry(ctx, attempts, "download", func() error { return c.download(ctx, t, path) }); err != nil {
		return false, err
	}
	defer os.Remove(path)
	defer os.Remove(path + ".etag")
	if err := verifyFile(path, t); err != nil {
		return false, err
	}
	decoded := path + ".decoded"
	defer os.Remove(decoded)
	if err := decodeTransfer(ctx, path, decoded, t.Name, full); err != nil {
		return false, err
	}
	// The transfer form has done its work: give its disk back before the
	// store writes a new generation.
	os.Remove(path)
	os.Remove(path + ".etag")
	return true, c.applyFile(ctx, decoded, full, progress)
}

// errDecodedTooLong: the transfer form decodes to more bytes than the
// full file it stands for.
var errDecodedTooLong = errors.New("decodes to more bytes than the full file")

// decodeTransfer decodes the transfer file src into dst, streaming (the
// decoder holds one 65,536-entry chunk), and checks the decoded size and
// SHA-256 against full as they are written, so the 420 MB are not read
// twice. Output past full.Size stops the decoder: a damaged file cannot
// fill the disk. dst is not fsynced: it is a staging copy that the import
// reads back at once and wire.Open verifies again; after a crash the next
// check starts over.
func decodeTransfer(ctx context.Context, src, dst, name string, full protocol.FileRef) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return permanent(fmt.Errorf("stage decoded %s: %w", name, err))
	}
	w := &hashingWriter{w: out, h: sha256.New(), max: full.Size}
	decodeErr := transfer.Decode(w, ctxReader{ctx: ctx, r: in})
	closeErr := out.Close()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(decodeErr, errDecodedTooLong):
		return permanent(fmt.Errorf("%s %w (%d bytes): refused", name, decodeErr, full.Size))
	case w.err != nil:
		return permanent(fmt.Errorf("stage decoded %s: %w", name, w.err))
	case decodeErr != nil:
		return permanent(fmt.Errorf("%s: %w: refused", name, decodeErr))
	case closeErr != nil:
		return permanent(fmt.Errorf("stage decoded %s: %w", name, closeErr))
	}
	if w.n != full.Size || hex.EncodeToString(w.h.Sum(nil)) != full.SHA256 {
		return permanent(fmt.Errorf("%s decodes to %d bytes that do not hash to the index's sha256 of %s (want %d bytes): refused",
			name, w.n, full.Name, full.Size))
	}
	return nil
}

// hashingWriter writes through to w and into h, and refuses to write more
// than max bytes in all.
type hashingWriter struct {
	w   io.Writer
	h   hash.Hash
	n   int64
	max int64
	err error // the first error of w (the disk), apart from the decoder's own
}

func (hw *hashingWriter) Write(b []byte) (int, error) {
	if hw.n+int64(len(b)) > hw.max {
		return 0, errDecodedTooLong
	}
	n, err := hw.w.Write(b)
	hw.h.Write(b[:n])
	hw.n += int64(n)
	if err != nil && hw.err == nil {
		hw.err = err
	}
	return n, err
}

// ctxReader ends a long decode when ctx ends: transfer.Decode takes no
// context, but it reads all the time.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}
