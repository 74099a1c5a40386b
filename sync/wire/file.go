package wire

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
)

// Magic opens every snapshot file.
const Magic = "DCSNAP\x00\x01"

// maxManifestSize bounds the manifest so a hostile file cannot make the
// reader allocate without limit.
const maxManifestSize = 1 << 20

// manifestDomain separates manifest signatures from every other use of the
// hub key.
const manifestDomain = "doorcheck snapshot manifest v1\x00"

// Errors a reader returns; match with errors.Is.
var (
	ErrBadMagic     = errors.New("not a doorcheck snapshot file")
	ErrBadSignature = errors.New("manifest signature does not verify against the pinned hub key")
	ErrContent      = errors.New("snapshot body does not match its manifest")
)

// SignManifest marshals m and signs it. It returns the manifest bytes and
// the signature, as written into a snapshot file.
func SignManifest(m *Manifest, key ed25519.PrivateKey) (manifest, sig []byte, err error) {
	m.Format = FormatVersion
	m.HubKeyID = KeyIDOf(key.Public().(ed25519.PublicKey))
	if err := m.Validate(); err != nil {
		return nil, nil, fmt.Errorf("sign manifest: %w", err)
	}
	manifest, err = json.Marshal(m)
	if err != nil {
		return nil, nil, fmt.Errorf("sign manifest: %w", err)
	}
	return manifest, ed25519.Sign(key, signedManifest(manifest)), nil
}

// VerifyManifest checks sig over the manifest bytes with the pinned hub key
// and decodes and validates the manifest.
func VerifyManifest(manifest, sig []byte, hubKey ed25519.PublicKey) (*Manifest, error) {
	if len(hubKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("verify manifest: pinned hub key is %d bytes, want %d", len(hubKey), ed25519.PublicKeySize)
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(hubKey, signedManifest(manifest), sig) {
		return nil, ErrBadSignature
	}
	var m Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("invalid manifest: %w", err)
	}
	if m.HubKeyID != KeyIDOf(hubKey) {
		return nil, fmt.Errorf("manifest names hub key %s, pinned key is %s", m.HubKeyID, KeyIDOf(hubKey))
	}
	return &m, nil
}

func signedManifest(manifest []byte) []byte {
	return append([]byte(manifestDomain), manifest...)
}

// WriteFull writes a full snapshot: m's Kind, Records, ResultEntries and
// ContentSHA256 are filled in from entries, which must be strictly ascending
// by subject. entries is iterated twice (hash, then write), so it must yield
// the same sequence both times.
func WriteFull(w io.Writer, m Manifest, entries iter.Seq[Entry], key ed25519.PrivateKey) error {
	m.Kind = KindFull
	m.BaseVersion = 0
	var buf [EntrySize]byte
	body := func(yield func([]byte) bool) {
		for e := range entries {
			e.Put(buf[:])
			if !yield(buf[:]) {
				return
			}
		}
	}
	n, sum, err := checkBody(body, func(rec []byte, prev []byte) error {
		e := DecodeEntry(rec)
		if err := e.Validate(); err != nil {
			return err
		}
		if prev != nil && bytes.Compare(prev[:SubjectKeySize], rec[:SubjectKeySize]) >= 0 {
			return fmt.Errorf("entries not strictly ascending at %s", e.Subject.Masked())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write full snapshot: %w", err)
	}
	m.Records, m.ResultEntries, m.ContentSHA256 = n, n, sum
	return writeFile(w, &m, body, key)
}

// WriteDelta writes a delta snapshot from m.BaseVersion to m.Version. The
// caller sets ResultEntries. changes must be strictly ascending by subject
// and is iterated twice.
func WriteDelta(w io.Writer, m Manifest, changes iter.Seq[Change], key ed25519.PrivateKey) error {
	m.Kind = KindDelta
	var buf [ChangeSize]byte
	body := func(yield func([]byte) bool) {
		for c := range changes {
			c.Put(buf[:])
			if !yield(buf[:]) {
				return
			}
		}
	}
	n, sum, err := checkBody(body, func(rec []byte, prev []byte) error {
		c := DecodeChange(rec)
		if err := c.Validate(); err != nil {
			return err
		}
		if prev != nil && bytes.Compare(prev[1:1+SubjectKeySize], rec[1:1+SubjectKeySize]) >= 0 {
			return fmt.Errorf("changes not strictly ascending at %s", c.Entry.Subject.Masked())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write delta snapshot: %w", err)
	}
	m.Records, m.ContentSHA256 = n, sum
	return writeFile(w, &m, body, key)
}

func checkBody(body iter.Seq[[]byte], check func(rec, prev []byte) error) (uint64, string, error) {
	h := sha256.New()
	var n uint64
	var prev []byte
	var err error
	for rec := range body {
		if err = check(rec, prev); err != nil {
			break
		}
		prev = append(prev[:0], rec...)
		h.Write(rec)
		n++
	}
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func writeFile(w io.Writer, m *Manifest, body iter.Seq[[]byte], key ed25519.PrivateKey) error {
	manifest, sig, err := SignManifest(m, key)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(Magic)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(manifest)))
	bw.Write(n[:])
	bw.Write(manifest)
	bw.Write(sig)
	for rec := range body {
		if _, err := bw.Write(rec); err != nil {
			return fmt.Errorf("write snapshot body: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// Reader reads a snapshot file whose manifest has been verified. The body
// is checked as it streams: record validity and order at each record,
// count and content hash at the end. Nothing read may be made visible
// before the reader has returned io.EOF, which it does only when the whole
// body matched the manifest.
type Reader struct {
	Manifest *Manifest

	r       *bufio.Reader
	h       hash.Hash
	recSize int
	read    uint64
	// prevHi and prevLo are the previous subject key as two big-endian
	// words. They start at zero, so the first key must be above the
	// all-zero key, which no subject has.
	prevHi, prevLo uint64
	err            error
}

// Open reads and verifies a snapshot header (magic, manifest, signature)
// against the pinned hub key. The body is left to Next, NextBlock or
// NextChange.
func Open(r io.Reader, hubKey ed25519.PublicKey) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head := make([]byte, len(Magic)+4)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, fmt.Errorf("read snapshot header: %w", ErrBadMagic)
	}
	if string(head[:len(Magic)]) != Magic {
		return nil, ErrBadMagic
	}
	size := binary.BigEndian.Uint32(head[len(Magic):])
	if size == 0 || size > maxManifestSize {
		return nil, fmt.Errorf("manifest size %d out of range: %w", size, ErrBadMagic)
	}
	manifest := make([]byte, int(size)+ed25519.SignatureSize)
	if _, err := io.ReadFull(br, manifest); err != nil {
		return nil, fmt.Errorf("read snapshot manifest: %w", err)
	}
	m, err := VerifyManifest(manifest[:size], manifest[size:], hubKey)
	if err != nil {
		return nil, err
	}
	rd := &Reader{Manifest: m, r: br, h: sha256.New(), recSize: EntrySize}
	if m.Kind == KindDelta {
		rd.recSize = ChangeSize
	}
	return rd, nil
}

// NextBlock reads whole entries of a full snapshot into dst, at most
// len(dst)/EntrySize of them, and returns the filled part. At the end of a
// body that matched its manifest it returns io.EOF with no data.
func (r *Reader) NextBlock(dst []byte) ([]byte, error) {
	if r.Manifest.Kind != KindFull {
		return nil, fmt.Errorf("NextBlock on a %s snapshot", r.Manifest.Kind)
	}
	if r.err != nil {
		return nil, r.err
	}
	want := uint64(len(dst) / EntrySize)
	if left := r.Manifest.Records - r.read; want > left {
		want = left
	}
	if want == 0 {
		if len(dst) < EntrySize {
			return nil, fmt.Errorf("NextBlock: buffer of %d bytes holds no entry", len(dst))
		}
		return nil, r.finish()
	}
	dst = dst[:want*EntrySize]
	if _, err := io.ReadFull(r.r, dst); err != nil {
		return nil, r.fail(r.readError(err, "entries"))
	}
	for off := 0; off < len(dst); off += EntrySize {
		rec := dst[off : off+EntrySize]
		st := Status(rec[SubjectKeySize])
		if st == Blue || !st.Valid() {
			return nil, r.fail(fmt.Errorf("%w: entry %d has status byte %d", ErrContent, r.read, uint8(st)))
		}
		if err := r.order(rec[:SubjectKeySize]); err != nil {
			return nil, err
		}
		r.read++
	}
	r.h.Write(dst)
	return dst, nil
}

// Next reads one entry of a full snapshot; see NextBlock.
func (r *Reader) Next() (Entry, error) {
	var buf [EntrySize]byte
	b, err := r.NextBlock(buf[:])
	if err != nil {
		return Entry{}, err
	}
	return DecodeEntry(b), nil
}

// NextChange reads one record of a delta snapshot. At the end of a body
// that matched its manifest it returns io.EOF.
func (r *Reader) NextChange() (Change, error) {
	if r.Manifest.Kind != KindDelta {
		return Change{}, fmt.Errorf("NextChange on a %s snapshot", r.Manifest.Kind)
	}
	if r.err != nil {
		return Change{}, r.err
	}
	if r.read == r.Manifest.Records {
		return Change{}, r.finish()
	}
	var buf [ChangeSize]byte
	if _, err := io.ReadFull(r.r, buf[:]); err != nil {
		return Change{}, r.fail(r.readError(err, "changes"))
	}
	c := DecodeChange(buf[:])
	if err := c.Validate(); err != nil {
		return Change{}, r.fail(fmt.Errorf("%w: change %d: %v", ErrContent, r.read, err))
	}
	if err := r.order(buf[1 : 1+SubjectKeySize]); err != nil {
		return Change{}, err
	}
	r.read++
	r.h.Write(buf[:])
	return c, nil
}

// order checks that key is above the previous one. Comparing two words
// instead of 16 bytes keeps the check cheap at 20 million entries.
func (r *Reader) order(key []byte) error {
	hi, lo := binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])
	if hi < r.prevHi || hi == r.prevHi && lo <= r.prevLo {
		if hi|lo == 0 {
			return r.fail(fmt.Errorf("%w: record %d has the all-zero subject key", ErrContent, r.read))
		}
		return r.fail(fmt.Errorf("%w: records not strictly ascending at record %d", ErrContent, r.read))
	}
	r.prevHi, r.prevLo = hi, lo
	return nil
}

// readError tells a body cut short (the file does not match its
// manifest) from a failing read, whose cause is kept.
func (r *Reader) readError(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: body ends after %d of %d %s", ErrContent, r.read, r.Manifest.Records, what)
	}
	return fmt.Errorf("read snapshot body after %d %s: %w", r.read, what, err)
}

// finish checks the end of the body: nothing trailing, and the hash.
func (r *Reader) finish() error {
	switch _, err := r.r.ReadByte(); {
	case err == nil:
		return r.fail(fmt.Errorf("%w: data after the last of %d records", ErrContent, r.Manifest.Records))
	case err != io.EOF:
		return r.fail(fmt.Errorf("read snapshot body end: %w", err))
	}
	if hex.EncodeToString(r.h.Sum(nil)) != r.Manifest.ContentSHA256 {
		return r.fail(fmt.Errorf("%w: content hash differs", ErrContent))
	}
	r.err = io.EOF
	return io.EOF
}

func (r *Reader) fail(err error) error {
	r.err = err
	return err
}
