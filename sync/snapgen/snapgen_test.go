package snapgen

import (
	"bytes"
	"crypto/ed25519"
	"io"
	"slices"
	"testing"

	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func TestReproducible(t *testing.T) {
	var a, b bytes.Buffer
	if err := Generate(Options{Subjects: 500, Seed: 3}).WriteFull(&a); err != nil {
		t.Fatal(err)
	}
	Generate(Options{Subjects: 500, Seed: 3}).WriteFull(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed gave different bytes")
	}
	var c bytes.Buffer
	Generate(Options{Subjects: 500, Seed: 4}).WriteFull(&c)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("different seeds gave the same bytes")
	}
}

func TestSubjectsAreRealIINs(t *testing.T) {
	s := Generate(Options{Subjects: 2000, Seed: 5})
	h := wire.NewSubjectHasher(s.Keys.SubjectKey)
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		iin := IIN(5, i)
		if _, err := pass.ParseIIN(iin); err != nil {
			t.Fatalf("subject %d: %s: %v", i, iin, err)
		}
		if seen[iin] {
			t.Fatalf("IIN %s generated twice", iin)
		}
		seen[iin] = true
		k := h.IIN(iin)
		if _, ok := slices.BinarySearchFunc(s.Entries, k, func(e wire.Entry, k wire.SubjectKey) int { return wire.CompareSubjects(e.Subject, k) }); !ok {
			t.Fatalf("subject %d is not in the snapshot", i)
		}
	}
}

func TestDeltaApplies(t *testing.T) {
	s := Generate(Options{Subjects: 3000, Seed: 6})
	next, changes := s.Delta(1, 9)
	if len(changes) < 15 || len(changes) > 90 {
		t.Fatalf("%d changes for 1 %% of 3000", len(changes))
	}
	if got := slices.Collect(wire.Apply(s.Values(), slices.Values(changes))); !slices.Equal(got, next.Entries) {
		t.Fatal("applying the delta does not give the next snapshot")
	}
	var buf bytes.Buffer
	if err := next.WriteDelta(&buf, 1, changes); err != nil {
		t.Fatal(err)
	}
	r, err := wire.Open(&buf, s.Keys.Hub.Public().(ed25519.PublicKey))
	if err != nil || r.Manifest.BaseVersion != 1 || r.Manifest.Version != 2 {
		t.Fatalf("%v %+v", err, r)
	}
	for {
		if _, err := r.NextChange(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
}
