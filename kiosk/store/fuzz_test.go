package store

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// FuzzDecodeVisit: a stored visit record, however damaged, decodes to an
// error or to a visit that encodes and decodes to itself.
func FuzzDecodeVisit(f *testing.F) {
	v := Visit{ID: VisitID{0x01, 0x90}, At: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Day: "2026-11-24",
		Kiosk: "k", Venue: "v", Door: "d", Direction: sv.Entry, Subject: wire.SubjectKey{7, 7},
		Kind: sv.KindIIN, Status: "red", Verdict: VerdictDeny, Reasons: []reason.Code{reason.Isolation}, SnapshotVersion: 3}
	raw, err := encodeVisit(v, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`{"subject":"zz"}`))
	f.Add([]byte(`{"id":"not-a-uuid"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := decodeVisit(raw)
		if err != nil {
			return
		}
		again, err := encodeVisit(v, nil)
		if err != nil {
			t.Fatalf("decoded visit does not encode: %v", err)
		}
		w, err := decodeVisit(again)
		if err != nil {
			t.Fatalf("re-encoded visit does not decode: %v", err)
		}
		if w.ID != v.ID || w.Subject != v.Subject || !w.At.Equal(v.At) || w.Verdict != v.Verdict || !slices.Equal(w.Reasons, v.Reasons) {
			t.Fatalf("round trip changed the visit:\n%+v\n%+v", v, w)
		}
	})
}

// FuzzVisitIDText: UnmarshalText accepts what String writes and never
// panics on anything else.
func FuzzVisitIDText(f *testing.F) {
	f.Add("0190a3b2-7c00-7abc-8def-0123456789ab")
	f.Add("")
	f.Add("0190a3b27c007abc8def0123456789ab")
	f.Add("zz90a3b2-7c00-7abc-8def-0123456789ab")
	f.Fuzz(func(t *testing.T, s string) {
		var id VisitID
		if err := id.UnmarshalText([]byte(s)); err != nil {
			return
		}
		if id.IsZero() {
			return
		}
		var back VisitID
		if err := back.UnmarshalText([]byte(id.String())); err != nil || back != id {
			t.Fatalf("%q: String %q does not parse back (%v)", s, id.String(), err)
		}
	})
}

// FuzzSearchBlock: the binary search inside a block agrees with a linear
// scan, for any sorted block and any key.
func FuzzSearchBlock(f *testing.F) {
	f.Add([]byte{1, 2, 3, 200}, uint8(2), uint8(0))
	f.Add([]byte{}, uint8(0), uint8(0))
	f.Add([]byte{5}, uint8(5), uint8(1))
	f.Fuzz(func(t *testing.T, firsts []byte, probe, mode uint8) {
		// Keys: the fuzzer's bytes, sorted and deduplicated, as big-endian
		// prefixes; the probe is one of them or a byte between.
		slices.Sort(firsts)
		firsts = slices.Compact(firsts)
		var block []byte
		for i, b := range firsts {
			var e wire.Entry
			e.Subject[0] = b
			binary.BigEndian.PutUint16(e.Subject[14:], uint16(i))
			e.Status = wire.Red
			block = wire.AppendEntry(block, e)
		}
		var key wire.SubjectKey
		key[0] = probe
		if i := bytes.IndexByte(firsts, probe); i >= 0 && mode%2 == 0 {
			binary.BigEndian.PutUint16(key[14:], uint16(i))
		} else {
			key[15] = 0xff
		}
		want, wantOK := -1, false
		for i := 0; i < len(firsts); i++ {
			if bytes.Equal(block[i*wire.EntrySize:i*wire.EntrySize+wire.SubjectKeySize], key[:]) {
				want, wantOK = i, true
			}
		}
		got, ok := searchBlock(block, key)
		if ok != wantOK || ok && got != want {
			t.Fatalf("searchBlock = %d %v, linear scan %d %v", got, ok, want, wantOK)
		}
	})
}
