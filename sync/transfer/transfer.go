// Package transfer is a compact, lossless transfer form of a full snapshot
// file, for slow links: the kiosk downloads it, decodes the exact bytes of
// the full file, checks their SHA-256 against the signed index and then
// verifies the file as usual (sync/wire). Nothing about trust changes; only
// the bytes on the wire shrink.
//
// A full snapshot's body is sorted, uniformly random 128-bit subject keys
// with a status byte and a 4-byte end time each (21 bytes). The keys keep
// their 128 bits, but sorted they are cheap to send as gaps: with n keys a
// gap averages 2¹²⁸/n, so a Rice code with parameter s ≈ log₂(2¹²⁸/n) sends
// each in s bits plus a short unary part, about log₂(2¹²⁸/n) + 2 bits
// (≈ 13.2 bytes at 20 million). The status and end-time columns are
// DEFLATE-compressed separately: statuses are three values, and end times
// repeat (whole days, common durations).
//
// Layout:
//
//	"DCXFER1\x00"
//	uvarint header length H, H bytes: the full file's header verbatim
//	        (magic, manifest length, manifest, signature)
//	uvarint n (entries), 1 byte s (Rice parameter)
//	then chunks of up to 65,536 entries, until n entries are read:
//	  uvarint K, K bytes: the chunk's Rice-coded key gaps, MSB first
//	  uvarint C, C bytes: DEFLATE of its status bytes, then its 4-byte end times
//
// The first key of the file is sent whole (128 bits); every later key,
// across chunks, as the gap from the one before. Chunks keep the encoder's
// and decoder's memory bounded whatever n is.
package transfer

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Magic opens every transfer file.
const Magic = "DCXFER1\x00"

// maxHeader bounds the embedded file header (the wire manifest is at most
// 1 MiB).
const maxHeader = 12 + 1<<20 + 64

// chunkEntries is the most entries one chunk holds.
const chunkEntries = 1 << 16

// Encode reads a full snapshot file and writes its transfer form. It does
// not verify the file (the hub made it); it only needs the layout. Memory
// is bounded by one chunk.
func Encode(w io.Writer, full io.Reader, size int64) error {
	br := bufio.NewReaderSize(full, 1<<20)
	head := make([]byte, len(wire.Magic)+4)
	if _, err := io.ReadFull(br, head); err != nil || string(head[:len(wire.Magic)]) != wire.Magic {
		return errors.New("transfer encode: not a snapshot file")
	}
	mlen := binary.BigEndian.Uint32(head[len(wire.Magic):])
	if mlen == 0 || mlen > 1<<20 {
		return errors.New("transfer encode: manifest length out of range")
	}
	rest := make([]byte, int(mlen)+64)
	if _, err := io.ReadFull(br, rest); err != nil {
		return fmt.Errorf("transfer encode: %w", err)
	}
	header := append(head, rest...)
	body := size - int64(len(header))
	if body < 0 || body%wire.EntrySize != 0 {
		return errors.New("transfer encode: the body is not whole entries")
	}
	n := uint64(body / wire.EntrySize)
	s := riceParameter(n)

	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(Magic)
	writeBlock(bw, header)
	var u [binary.MaxVarintLen64]byte
	bw.Write(u[:binary.PutUvarint(u[:], n)])
	bw.WriteByte(byte(s))

	var gaps bitWriter
	var cols, untils, z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.DefaultCompression)
	var prev [2]uint64
	var rec [wire.EntrySize]byte
	for i := uint64(0); i < n; i++ {
		if _, err := io.ReadFull(br, rec[:]); err != nil {
			return fmt.Errorf("transfer encode: body: %w", err)
		}
		hi, lo := binary.BigEndian.Uint64(rec[:8]), binary.BigEndian.Uint64(rec[8:16])
		if i == 0 {
			// The first key is sent whole: as a gap from zero its unary
			// part would be about n bits long.
			gaps.write(hi, 64)
			gaps.write(lo, 64)
		} else {
			gLo, borrow := bits.Sub64(lo, prev[1], 0)
			gHi, under := bits.Sub64(hi, prev[0], borrow)
			if under != 0 || gHi|gLo == 0 {
				return errors.New("transfer encode: keys are not strictly ascending")
			}
			// s >= 64 for any n of a uint64: the quotient comes from hi.
			q := gHi >> (s - 64)
			if q > maxQuotient {
				return errors.New("transfer encode: a key gap is too large for random keys")
			}
			gaps.unary(q)
			gaps.write(gHi, s-64)
			gaps.write(gLo, 64)
		}
		prev = [2]uint64{hi, lo}
		cols.WriteByte(rec[16])
		untils.Write(rec[17:21])
		if (i+1)%chunkEntries == 0 || i+1 == n {
			writeBlock(bw, gaps.finish())
			gaps = bitWriter{out: gaps.out[:0]}
			z.Reset()
			zw.Reset(&z)
			zw.Write(cols.Bytes())
			zw.Write(untils.Bytes())
			if err := zw.Close(); err != nil {
				return err
			}
			writeBlock(bw, z.Bytes())
			cols.Reset()
			untils.Reset()
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return errors.New("transfer encode: data after the body")
	}
	return bw.Flush()
}

// riceParameter is ⌊log₂(2¹²⁸/n)⌋, the gap's expected bit length; at
// least 64 for any n of a uint64, so remainders take all of the low word.
func riceParameter(n uint64) uint {
	if n <= 1 {
		return 127
	}
	return uint(128 - bits.Len64(n-1))
}

// maxQuotient bounds a gap's unary part: for random keys it is ≥ q with
// probability about 2^-q; anything near this means the keys are not random
// (or the data is hostile), and the decoder refuses it too.
const maxQuotient = 4096

func writeBlock(w *bufio.Writer, b []byte) {
	var u [binary.MaxVarintLen64]byte
	w.Write(u[:binary.PutUvarint(u[:], uint64(len(b)))])
	w.Write(b)
}

// Decode reads a transfer file and writes the exact bytes of the full
// snapshot file it encodes. The caller checks their SHA-256 against the
// signed index before anything else.
func Decode(w io.Writer, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(Magic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != Magic {
		return errors.New("not a doorcheck transfer file")
	}
	header, err := readBlock(br, maxHeader)
	if err != nil {
		return fmt.Errorf("transfer header: %w", err)
	}
	n, err := binary.ReadUvarint(br)
	if err != nil || n > 1<<32 {
		return errors.New("transfer entry count out of range")
	}
	sb, err := br.ReadByte()
	if err != nil || sb < 64 || sb > 127 {
		return errors.New("transfer Rice parameter out of range")
	}
	s := uint(sb)
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(header)
	var hi, lo uint64
	var rec [wire.EntrySize]byte
	cut := errors.New("transfer keys are cut short or damaged")
	fr := flate.NewReader(bytes.NewReader(nil))
	var cols []byte
	for i := uint64(0); i < n; {
		m := min(n-i, chunkEntries)
		gapBytes, err := readBlock(br, int(m)*(18+maxQuotient/8)+16)
		if err != nil {
			return fmt.Errorf("transfer keys: %w", err)
		}
		zcols, err := readBlock(br, int(m)*6+1<<16)
		if err != nil {
			return fmt.Errorf("transfer columns: %w", err)
		}
		fr.(flate.Resetter).Reset(bytes.NewReader(zcols), nil)
		cols, err = readAllLimited(fr, cols[:0], int(m)*5)
		if err != nil || uint64(len(cols)) != m*5 {
			return errors.New("transfer columns do not match the entry count")
		}
		rd := bitReader{b: gapBytes}
		for j := uint64(0); j < m; j, i = j+1, i+1 {
			if i == 0 {
				var ok1, ok2 bool
				hi, ok1 = rd.read(64)
				lo, ok2 = rd.read(64)
				if !ok1 || !ok2 {
					return cut
				}
			} else {
				q, ok := rd.unary(maxQuotient)
				if !ok {
					return cut
				}
				rHi, ok1 := rd.read(s - 64)
				rLo, ok2 := rd.read(64)
				if !ok1 || !ok2 {
					return cut
				}
				gHi := q<<(s-64) | rHi
				var carry uint64
				lo, carry = bits.Add64(lo, rLo, 0)
				hi, carry = bits.Add64(hi, gHi, carry)
				if carry != 0 {
					return cut
				}
			}
			binary.BigEndian.PutUint64(rec[:8], hi)
			binary.BigEndian.PutUint64(rec[8:16], lo)
			rec[16] = cols[j]
			copy(rec[17:], cols[m+4*j:m+4*j+4])
			bw.Write(rec[:])
		}
		// A failed write (a full disk, a writer that caps the output)
		// ends the decode here instead of after the last chunk.
		if _, err := bw.Write(nil); err != nil {
			return err
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return errors.New("transfer file has data after its last chunk")
	}
	return bw.Flush()
}

// readAllLimited reads r into dst, failing past limit bytes.
func readAllLimited(r io.Reader, dst []byte, limit int) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	n, err := buf.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(limit) {
		return nil, errors.New("chunk larger than its entries")
	}
	return buf.Bytes(), nil
}

func readBlock(r *bufio.Reader, max int) ([]byte, error) {
	size, err := binary.ReadUvarint(r)
	if err != nil || size > uint64(max) {
		return nil, errors.New("block length out of range")
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// bitWriter packs bits MSB first, a 64-bit word at a time.
type bitWriter struct {
	out  []byte
	acc  uint64 // the low nacc bits are pending
	nacc uint
}

// write appends the low n bits of v (n <= 64).
func (w *bitWriter) write(v uint64, n uint) {
	if n == 0 {
		return
	}
	if n < 64 {
		v &= 1<<n - 1
	}
	if free := 64 - w.nacc; n >= free {
		// Fill the word, flush it, keep the rest.
		rest := n - free
		word := w.acc<<free | v>>rest
		if free == 64 {
			word = v >> rest
		}
		w.out = binary.BigEndian.AppendUint64(w.out, word)
		w.acc, w.nacc = v&(1<<rest-1), rest
		if rest == 0 {
			w.acc = 0
		}
		return
	}
	w.acc = w.acc<<n | v
	w.nacc += n
}

// unary writes q ones and a zero.
func (w *bitWriter) unary(q uint64) {
	for q >= 63 {
		w.write(1<<63-1, 63)
		q -= 63
	}
	w.write((1<<q-1)<<1, uint(q)+1)
}

func (w *bitWriter) finish() []byte {
	out := w.out
	for n := int(w.nacc); n > 0; n -= 8 {
		if n >= 8 {
			out = append(out, byte(w.acc>>uint(n-8)))
		} else {
			out = append(out, byte(w.acc<<uint(8-n)))
		}
	}
	return out
}

// bitReader reads bits MSB first.
type bitReader struct {
	b   []byte
	pos uint64 // in bits
}

// read returns the next n bits (n <= 64).
func (r *bitReader) read(n uint) (uint64, bool) {
	if n == 0 {
		return 0, true
	}
	end := r.pos + uint64(n)
	if end > uint64(len(r.b))*8 {
		return 0, false
	}
	// Fast path, for all but the last bytes of a chunk: one 64-bit load,
	// and one more byte when n runs past it (n ≤ 64, off ≤ 7). Decoding
	// 20 million keys spends most of its time here.
	if i, off := r.pos>>3, uint(r.pos&7); i+8 <= uint64(len(r.b)) {
		w := binary.BigEndian.Uint64(r.b[i:])
		r.pos = end
		if n <= 64-off {
			return (w << off) >> (64 - n), true
		}
		rest := n - (64 - off) // 1..7; the byte exists: end is within b
		return (w<<off)>>off<<rest | uint64(r.b[i+8]>>(8-rest)), true
	}
	var v uint64
	for n > 0 {
		byteIdx, bitOff := r.pos>>3, uint(r.pos&7)
		take := min(8-bitOff, n)
		bb := uint64(r.b[byteIdx]>>(8-bitOff-take)) & (1<<take - 1)
		v = v<<take | bb
		r.pos += uint64(take)
		n -= take
	}
	return v, true
}

// unary reads ones up to a zero; more than max ones is damage.
func (r *bitReader) unary(max uint64) (uint64, bool) {
	var q uint64
	for {
		byteIdx := r.pos >> 3
		if byteIdx >= uint64(len(r.b)) {
			return 0, false
		}
		bitOff := uint(r.pos & 7)
		b := r.b[byteIdx] << bitOff
		ones := uint(bits.LeadingZeros8(^b))
		if avail := 8 - bitOff; ones < avail {
			q += uint64(ones)
			r.pos += uint64(ones) + 1
			return q, q <= max
		}
		q += uint64(8 - bitOff)
		r.pos += uint64(8 - bitOff)
		if q > max {
			return 0, false
		}
	}
}
