package wire

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func testManifest(version uint64) Manifest {
	issuer := testKey(9).Public().(ed25519.PublicKey)
	return Manifest{
		Version:        version,
		CreatedAt:      time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		SubjectHashKey: bytes.Repeat([]byte{7}, 32),
		Issuers:        []Issuer{{ID: KeyIDOf(issuer), Name: "test issuer", PublicKey: issuer}},
	}
}

func testEntries(n int, salt byte) []Entry {
	var es []Entry
	for i := range n {
		h := NewSubjectHasher([]byte{salt})
		es = append(es, Entry{Subject: h.IIN(string(rune('a'+i%26)) + string(rune(i))), Status: Status(1 + i%3), Until: uint32(i)})
	}
	slices.SortFunc(es, func(a, b Entry) int { return CompareSubjects(a.Subject, b.Subject) })
	return slices.CompactFunc(es, func(a, b Entry) bool { return a.Subject == b.Subject })
}

func encodeFull(t *testing.T, m Manifest, es []Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteFull(&buf, m, slices.Values(es), testKey(1)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(r *Reader) ([]Entry, error) {
	var out []Entry
	buf := make([]byte, 7*EntrySize)
	for {
		b, err := r.NextBlock(buf)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		for off := 0; off < len(b); off += EntrySize {
			out = append(out, DecodeEntry(b[off:]))
		}
	}
}

func TestFullRoundTrip(t *testing.T) {
	es := testEntries(100, 1)
	data := encodeFull(t, testManifest(3), es)
	r, err := Open(bytes.NewReader(data), testKey(1).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if r.Manifest.Version != 3 || r.Manifest.Records != uint64(len(es)) || r.Manifest.Kind != KindFull {
		t.Fatalf("manifest = %+v", r.Manifest)
	}
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, es) {
		t.Fatalf("entries differ")
	}
}

func TestOpenRejects(t *testing.T) {
	es := testEntries(50, 2)
	good := encodeFull(t, testManifest(1), es)
	hub := testKey(1).Public().(ed25519.PublicKey)
	headerLen := len(good) - len(es)*EntrySize

	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name    string
		data    []byte
		key     ed25519.PublicKey
		openErr error // expected from Open; nil means Open succeeds
		bodyErr error // expected from reading the body
	}{
		{"empty", nil, hub, ErrBadMagic, nil},
		{"bad magic", flip(0), hub, ErrBadMagic, nil},
		{"manifest byte flipped", flip(len(Magic) + 10), hub, ErrBadSignature, nil},
		{"signature flipped", flip(headerLen - 1), hub, ErrBadSignature, nil},
		{"wrong hub key", good, testKey(2).Public().(ed25519.PublicKey), ErrBadSignature, nil},
		{"body byte flipped", flip(headerLen + 3), hub, nil, ErrContent},
		{"status byte invalid", func() []byte { b := bytes.Clone(good); b[headerLen+SubjectKeySize] = 9; return b }(), hub, nil, ErrContent},
		{"truncated body", good[:len(good)-1], hub, nil, ErrContent},
		{"trailing byte", append(bytes.Clone(good), 0), hub, nil, ErrContent},
		{"swapped entries", func() []byte {
			b := bytes.Clone(good)
			a, c := b[headerLen:headerLen+EntrySize], bytes.Clone(b[headerLen+EntrySize:headerLen+2*EntrySize])
			copy(b[headerLen+EntrySize:], a)
			copy(b[headerLen:], c)
			return b
		}(), hub, nil, ErrContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(bytes.NewReader(tt.data), tt.key)
			if tt.openErr != nil {
				if !errors.Is(err, tt.openErr) {
					t.Fatalf("Open error = %v, want %v", err, tt.openErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if _, err := readAll(r); !errors.Is(err, tt.bodyErr) {
				t.Fatalf("body error = %v, want %v", err, tt.bodyErr)
			}
		})
	}
}

func TestWriteFullRejectsUnsorted(t *testing.T) {
	es := testEntries(10, 3)
	es[0], es[1] = es[1], es[0]
	if err := WriteFull(io.Discard, testManifest(1), slices.Values(es), testKey(1)); err == nil {
		t.Fatal("WriteFull accepted unsorted entries")
	}
	es = testEntries(10, 3)
	es[4].Status = Blue
	if err := WriteFull(io.Discard, testManifest(1), slices.Values(es), testKey(1)); err == nil {
		t.Fatal("WriteFull accepted a blue entry")
	}
}

func TestDeltaRoundTripAndApply(t *testing.T) {
	old := testEntries(200, 4)
	var next []Entry
	for i, e := range old {
		switch i % 10 {
		case 0: // removed
		case 1:
			e.Status = Green
			e.Until = 99999
			next = append(next, e)
		default:
			next = append(next, e)
		}
	}
	next = append(next, testEntries(20, 5)...)
	slices.SortFunc(next, func(a, b Entry) int { return CompareSubjects(a.Subject, b.Subject) })

	changes := slices.Collect(Diff(slices.Values(old), slices.Values(next)))
	if got := slices.Collect(Apply(slices.Values(old), slices.Values(changes))); !slices.Equal(got, next) {
		t.Fatalf("Apply(Diff) does not give the new entries")
	}

	m := testManifest(5)
	m.BaseVersion = 4
	m.ResultEntries = uint64(len(next))
	var buf bytes.Buffer
	if err := WriteDelta(&buf, m, slices.Values(changes), testKey(1)); err != nil {
		t.Fatal(err)
	}
	r, err := Open(&buf, testKey(1).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if r.Manifest.Kind != KindDelta || r.Manifest.BaseVersion != 4 {
		t.Fatalf("manifest = %+v", r.Manifest)
	}
	var got []Change
	for {
		c, err := r.NextChange()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if !slices.Equal(got, changes) {
		t.Fatalf("changes differ")
	}
}

func TestStatusAt(t *testing.T) {
	e := Entry{Status: Red, Until: 1000}
	if e.StatusAt(time.Unix(999, 0)) != Red || e.StatusAt(time.Unix(1000, 0)) != Blue {
		t.Fatal("status must end exactly at Until")
	}
	if (Entry{Status: Green}).StatusAt(time.Unix(1<<31, 0)) != Green {
		t.Fatal("Until 0 means no end")
	}
}

func FuzzOpen(f *testing.F) {
	es := testEntries(5, 6)
	var buf bytes.Buffer
	WriteFull(&buf, testManifest(1), slices.Values(es), testKey(1))
	f.Add(buf.Bytes())
	f.Add([]byte(Magic))
	hub := testKey(1).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(bytes.NewReader(data), hub)
		if err != nil {
			return
		}
		readAll(r)
	})
}

// FuzzManifest feeds arbitrary JSON to the manifest decoder and validator,
// which a snapshot signed by the pinned key could still get wrong.
func FuzzManifest(f *testing.F) {
	m := testManifest(1)
	m.Kind, m.ContentSHA256 = KindFull, strings.Repeat("00", 32)
	good, _ := json.Marshal(m)
	f.Add(good)
	f.Add([]byte(`{"format":1,"kind":"delta","version":1,"base_version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Manifest
		if json.Unmarshal(data, &m) != nil {
			return
		}
		if m.Validate() == nil {
			m.TrustList()
			m.Hasher().IIN("900101400003")
		}
	})
}

func TestZeroSubjectRejected(t *testing.T) {
	es := testEntries(5, 8)
	data := encodeFull(t, testManifest(1), es)
	headerLen := len(data) - len(es)*EntrySize
	for i := 0; i < SubjectKeySize; i++ {
		data[headerLen+i] = 0 // the first key becomes all zero: still sorted
	}
	r, err := Open(bytes.NewReader(data), testKey(1).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(r); !errors.Is(err, ErrContent) || !strings.Contains(err.Error(), "all-zero") {
		t.Fatalf("err = %v", err)
	}
}

type failingReader struct{ r io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func TestReadErrorKeepsCause(t *testing.T) {
	data := encodeFull(t, testManifest(1), testEntries(50, 9))
	r, err := Open(failingReader{bytes.NewReader(data[:len(data)-10])}, testKey(1).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(r); err == nil || errors.Is(err, ErrContent) || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}
