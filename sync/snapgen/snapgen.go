// Package snapgen generates reproducible status snapshots of any size, for
// tests, benchmarks and trying a kiosk out without a hub. The same seed
// always gives the same keys, subjects, statuses and bytes.
//
// Subject i is a real, checksum-valid IIN (see IIN), so `doorcheck check`
// can look generated people up exactly as it would real ones.
package snapgen

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Options say what to generate.
type Options struct {
	Subjects  int       // number of listed (non-blue) subjects
	Seed      int64     // everything derives from it
	Version   uint64    // snapshot version; 1 when zero
	CreatedAt time.Time // snapshot creation time; statuses end relative to it
}

// Keys are the deterministic keys of one seed.
type Keys struct {
	Hub        ed25519.PrivateKey // signs manifests
	Issuer     ed25519.PrivateKey // signs passes
	SubjectKey []byte             // HMAC key for subject keys
}

// KeysFor derives the keys of a seed.
func KeysFor(seed int64) Keys {
	return Keys{
		Hub:        ed25519.NewKeyFromSeed(derive(seed, "hub key")),
		Issuer:     ed25519.NewKeyFromSeed(derive(seed, "issuer key")),
		SubjectKey: derive(seed, "subject hash key"),
	}
}

func derive(seed int64, purpose string) []byte {
	h := sha256.New()
	binary.Write(h, binary.BigEndian, seed)
	h.Write([]byte("doorcheck snapgen " + purpose))
	return h.Sum(nil)
}

// IIN returns the IIN of generated subject i (0-based) for a seed: the i-th
// checksum-valid number from a seed-derived starting point. Numbers whose
// check digit is undefined (never issued) are skipped, so every i has one.
func IIN(seed int64, i int) string {
	// Each block of 11-digit prefixes holds at most a few never-issued
	// numbers; stepping by 2 from a seed-derived start keeps subjects apart
	// from hand-typed demo numbers. Walk from the start of a small window
	// so the mapping stays a pure function of (seed, i).
	start := startPrefix(seed)
	n := start + uint64(i)*2
	for {
		if iin, ok := pass.MakeIIN(fmt.Sprintf("%011d", n%100_000_000_000)); ok {
			return iin
		}
		// A never-issued prefix: move to an odd neighbour that no even
		// step reaches, so subjects stay distinct.
		n++
	}
}

func startPrefix(seed int64) uint64 {
	// Birth-date-like prefix 90xxxx… keeps generated numbers looking real;
	// the rest comes from the seed.
	d := derive(seed, "iin start")
	return 90_000_000_000 + binary.BigEndian.Uint64(d)%5_000_000_000*2
}

// Snapshot is a generated snapshot: its manifest (unsigned) and sorted
// entries.
type Snapshot struct {
	Keys     Keys
	Manifest wire.Manifest
	Entries  []wire.Entry
}

// Generate builds a snapshot in memory. Subject keys are HMACs of generated
// IINs, computed on every core, then sorted.
func Generate(o Options) *Snapshot {
	if o.Version == 0 {
		o.Version = 1
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	keys := KeysFor(o.Seed)
	entries := make([]wire.Entry, o.Subjects)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mac := hmac.New(sha256.New, keys.SubjectKey)
			var sum []byte
			for i := w; i < o.Subjects; i += workers {
				mac.Reset()
				mac.Write([]byte("iin:"))
				mac.Write([]byte(IIN(o.Seed, i)))
				sum = mac.Sum(sum[:0])
				var e wire.Entry
				copy(e.Subject[:], sum)
				e.Status, e.Until = statusFor(o.Seed, i, o.CreatedAt)
				entries[i] = e
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(entries, func(a, b wire.Entry) int { return wire.CompareSubjects(a.Subject, b.Subject) })
	issuerPub := keys.Issuer.Public().(ed25519.PublicKey)
	return &Snapshot{
		Keys: keys,
		Manifest: wire.Manifest{
			Version:        o.Version,
			CreatedAt:      o.CreatedAt.UTC(),
			SubjectHashKey: keys.SubjectKey,
			Issuers:        []wire.Issuer{{ID: wire.KeyIDOf(issuerPub), Name: "generated issuer", PublicKey: issuerPub}},
			Deployment:     fmt.Sprintf("generated-seed-%d", o.Seed),
		},
		Entries: entries,
	}
}

// statusFor gives subject i a status: 5 % red, 10 % yellow, 85 % green, with
// isolation and contact ending within two weeks and a third of greens being
// 72-hour test results. About one in twenty listed statuses has already
// ended at creation time, so readers exercise the fall-back to blue.
func statusFor(seed int64, i int, created time.Time) (wire.Status, uint32) {
	r := mix(uint64(seed)*0x9E3779B97F4A7C15 + uint64(i))
	day := int64(24 * time.Hour / time.Second)
	base := created.Unix()
	if r%20 == 0 {
		base -= 30 * day // ended before creation
	}
	switch pct := r % 100; {
	case pct < 5:
		return wire.Red, uint32(base + 1*day + int64(r>>8)%(14*day))
	case pct < 15:
		return wire.Yellow, uint32(base + 1*day + int64(r>>8)%(10*day))
	case pct < 43:
		return wire.Green, uint32(base + 3*day)
	default:
		return wire.Green, 0
	}
}

// mix is SplitMix64's finaliser: a cheap, well-spread hash of a counter.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}

// WriteFull signs and writes the snapshot as a full snapshot file.
func (s *Snapshot) WriteFull(w io.Writer) error {
	return wire.WriteFull(w, s.Manifest, slices.Values(s.Entries), s.Keys.Hub)
}

// Delta returns the next version of s with about percent % of its entries
// changed: a third removed, a third given another status, and as many new
// subjects added as were removed. The result is a new Snapshot (full) and
// the changes from s to it.
func (s *Snapshot) Delta(percent float64, seed int64) (*Snapshot, []wire.Change) {
	next := &Snapshot{Keys: s.Keys, Manifest: s.Manifest}
	next.Manifest.Version = s.Manifest.Version + 1
	next.Manifest.CreatedAt = s.Manifest.CreatedAt.Add(24 * time.Hour)
	every := int(100 / percent)
	if every < 1 {
		every = 1
	}
	next.Entries = make([]wire.Entry, 0, len(s.Entries))
	var added []wire.Entry
	for i, e := range s.Entries {
		r := mix(uint64(seed) ^ uint64(i)*0x9E3779B97F4A7C15)
		if int(r%uint64(every)) != 0 {
			next.Entries = append(next.Entries, e)
			continue
		}
		switch r / uint64(every) % 3 {
		case 0: // removed: isolation or contact lifted
			var k wire.Entry
			copy(k.Subject[:], derive(int64(r), "new subject"))
			k.Status, k.Until = wire.Red, uint32(next.Manifest.CreatedAt.Unix()+10*86400)
			added = append(added, k)
		case 1:
			e.Status = wire.Status(1 + (e.Status % 3)) // red→yellow→green→red
			e.Until = uint32(next.Manifest.CreatedAt.Unix() + 7*86400)
			next.Entries = append(next.Entries, e)
		default:
			next.Entries = append(next.Entries, e)
		}
	}
	next.Entries = append(next.Entries, added...)
	slices.SortFunc(next.Entries, func(a, b wire.Entry) int { return wire.CompareSubjects(a.Subject, b.Subject) })
	next.Entries = slices.CompactFunc(next.Entries, func(a, b wire.Entry) bool { return a.Subject == b.Subject })
	changes := slices.Collect(wire.Diff(slices.Values(s.Entries), slices.Values(next.Entries)))
	return next, changes
}

// WriteDelta signs and writes the changes from base to s as a delta file.
func (s *Snapshot) WriteDelta(w io.Writer, baseVersion uint64, changes []wire.Change) error {
	m := s.Manifest
	m.BaseVersion = baseVersion
	m.ResultEntries = uint64(len(s.Entries))
	return wire.WriteDelta(w, m, slices.Values(changes), s.Keys.Hub)
}

// Values returns the entries as a sequence.
func (s *Snapshot) Values() iter.Seq[wire.Entry] { return slices.Values(s.Entries) }
