package transfer

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/doorcheck/doorcheck/sync/snapgen"
)

func fullFile(t testing.TB, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := snapgen.Generate(snapgen.Options{Subjects: n, Seed: 7}).WriteFull(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 1000, 200_000} {
		full := fullFile(t, n)
		var enc bytes.Buffer
		if err := Encode(&enc, bytes.NewReader(full), int64(len(full))); err != nil {
			t.Fatalf("%d: %v", n, err)
		}
		var dec bytes.Buffer
		if err := Decode(&dec, bytes.NewReader(enc.Bytes())); err != nil {
			t.Fatalf("%d: decode: %v", n, err)
		}
		if !bytes.Equal(dec.Bytes(), full) {
			t.Fatalf("%d: decoded bytes differ from the full file", n)
		}
		if n >= 1000 {
			// Fewer subjects leave longer gaps (keys cost about
			// log2(2^128/n)+2 bits each): 14.1 bytes at 200,000, 13.2 at
			// 20 million; the end-time column adds ~1 byte with snapgen's
			// random seconds. At 200,000 a quarter off the file is the bar.
			header := len(full) - n*21
			per := float64(enc.Len()-header) / float64(n)
			t.Logf("%d subjects: full %d bytes, transfer %d bytes: %.2f bytes per subject (file: 21)", n, len(full), enc.Len(), per)
			if n >= 100_000 && per > 21*0.75 {
				t.Errorf("%.2f bytes per subject, want <= %.2f", per, 21*0.75)
			}
		}
	}
}

func TestDamageIsRefusedOrDetected(t *testing.T) {
	full := fullFile(t, 5000)
	var enc bytes.Buffer
	if err := Encode(&enc, bytes.NewReader(full), int64(len(full))); err != nil {
		t.Fatal(err)
	}
	b := enc.Bytes()
	for _, cut := range []int{0, 5, len(Magic) + 3, len(b) / 2, len(b) - 1} {
		var dec bytes.Buffer
		if err := Decode(&dec, bytes.NewReader(b[:cut])); err == nil && bytes.Equal(dec.Bytes(), full) {
			t.Fatalf("a transfer cut at %d decoded to the full file", cut)
		}
	}
	for _, at := range []int{len(b) / 3, len(b) / 2, len(b) - 10} {
		bad := bytes.Clone(b)
		bad[at] ^= 0x40
		var dec bytes.Buffer
		// Either refused, or different bytes: the kiosk's SHA-256 check
		// against the signed index then refuses them.
		if err := Decode(&dec, bytes.NewReader(bad)); err == nil && bytes.Equal(dec.Bytes(), full) {
			t.Fatalf("a flipped bit at %d went unnoticed", at)
		}
	}
	if err := Encode(&bytes.Buffer{}, bytes.NewReader([]byte("not a snapshot")), 14); err == nil {
		t.Fatal("encoded garbage")
	}
}

func FuzzDecode(f *testing.F) {
	var enc bytes.Buffer
	ff := fullFile(f, 50)
	Encode(&enc, bytes.NewReader(ff), int64(len(ff)))
	f.Add(enc.Bytes())
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		Decode(&bytes.Buffer{}, bytes.NewReader(b))
	})
}

func BenchmarkDecode(b *testing.B) {
	full := fullFile(b, 1_000_000)
	var enc bytes.Buffer
	if err := Encode(&enc, bytes.NewReader(full), int64(len(full))); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(full)))
	b.ResetTimer()
	for b.Loop() {
		var out bytes.Buffer
		out.Grow(len(full))
		if err := Decode(&out, bytes.NewReader(enc.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// failingWriter fails every write, like a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errFull }

var errFull = errors.New("disk full")

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += n
	return n, err
}

// TestDecodeStopsAtAFailedWrite: a writer that fails (a full disk, the
// kiosk's cap at the full file's size) ends the decode at the chunk it
// failed in, with its error, instead of decoding the rest for nothing.
func TestDecodeStopsAtAFailedWrite(t *testing.T) {
	full := fullFile(t, 8*chunkEntries)
	var enc bytes.Buffer
	if err := Encode(&enc, bytes.NewReader(full), int64(len(full))); err != nil {
		t.Fatal(err)
	}
	// Small reads, so the decoder's own buffering cannot hide how far it
	// went.
	cr := &countingReader{r: iotest.OneByteReader(bytes.NewReader(enc.Bytes()))}
	err := Decode(failingWriter{}, cr)
	if !errors.Is(err, errFull) {
		t.Fatalf("decode into a failing writer: %v", err)
	}
	if cr.n > enc.Len()/2 {
		t.Errorf("read %d of %d bytes after the writer failed", cr.n, enc.Len())
	}
}

// TestBitsRoundTrip: fields of every width 0..64 at every bit offset read
// back as written, through the reader's 64-bit fast path and its
// byte-at-a-time tail alike.
func TestBitsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type field struct {
		v uint64
		n uint
	}
	var fields []field
	var w bitWriter
	for range 5000 {
		n := uint(rng.IntN(65))
		v := rng.Uint64()
		if n < 64 {
			v &= 1<<n - 1
		}
		fields = append(fields, field{v, n})
		w.write(v, n)
	}
	r := bitReader{b: w.finish()}
	for i, f := range fields {
		got, ok := r.read(f.n)
		if !ok || got != f.v {
			t.Fatalf("field %d (%d bits at bit %d): got %#x %v, want %#x", i, f.n, r.pos, got, ok, f.v)
		}
	}
	if _, ok := r.read(9); ok {
		t.Error("read past the end")
	}
}
