// Package demo is the kiosk's built-in demo deployment: a hub key, a pass
// issuer, a handful of people of every status, and passes of every kind,
// all derived from fixed seeds compiled into the binary. `doorcheck --demo`
// works offline from its first start with no hub and no files.
//
// The demo hub key is public knowledge (it is in this source), so a kiosk
// configured for a real hub pins that hub's key and never trusts this one.
package demo

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Deployment is the manifest's deployment name for demo data.
const Deployment = "demo"

func seed(purpose string) []byte {
	s := sha256.Sum256([]byte("doorcheck demo " + purpose))
	return s[:]
}

// HubKey signs the demo snapshot.
func HubKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed("hub key")) }

// HubPublicKey is the key a demo kiosk pins.
func HubPublicKey() ed25519.PublicKey { return HubKey().Public().(ed25519.PublicKey) }

// IssuerKey signs demo passes; it is in the demo trust list.
func IssuerKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed("issuer key")) }

// StrangerKey signs passes from an issuer the demo trust list does not know.
func StrangerKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed("stranger key")) }

func subjectHashKey() []byte { return seed("subject hash key") }

// Hasher derives demo subject keys.
func Hasher() wire.SubjectHasher { return wire.NewSubjectHasher(subjectHashKey()) }

// Person is one demo visitor.
type Person struct {
	Label  string // what this person demonstrates
	IIN    string
	Status wire.Status
	// Ends is the status end relative to the snapshot's creation; 0: no end.
	Ends time.Duration
}

// People are the demo visitors. Their IINs carry valid check digits.
func People() []Person {
	p := []Person{
		{Label: "green, vaccinated", IIN: mustIIN("85031540012"), Status: wire.Green},
		{Label: "green, negative PCR (72 h)", IIN: mustIIN("92110240023"), Status: wire.Green, Ends: 72 * time.Hour},
		{Label: "blue, not listed", IIN: mustIIN("78062130034")},
		{Label: "red, in isolation", IIN: mustIIN("01041250045"), Status: wire.Red, Ends: 10 * 24 * time.Hour},
		{Label: "yellow, contact of a case", IIN: mustIIN("66120940056"), Status: wire.Yellow, Ends: 7 * 24 * time.Hour},
		{Label: "blue, isolation ended", IIN: mustIIN("99072350067"), Status: wire.Red, Ends: -24 * time.Hour},
	}
	return p
}

func mustIIN(first11 string) string {
	for n := 0; n < 10; n++ {
		// Walk the serial digit until the check digit exists; the demo
		// data only needs valid numbers, not these exact ones.
		cand := first11[:10] + fmt.Sprint((int(first11[10]-'0')+n)%10)
		if iin, ok := pass.MakeIIN(cand); ok {
			return iin
		}
	}
	panic("demo: no valid IIN near " + first11)
}

// Version is the demo snapshot version for a day: it grows by one a day, so
// a demo kiosk picks up a fresh demo snapshot every day without a rollback.
func Version(now time.Time) uint64 {
	return uint64(now.UTC().Unix()/86400) + 1
}

// CreatedAt is the demo snapshot's creation time for a day: that day's
// midnight UTC, so demo data is never stale.
func CreatedAt(now time.Time) time.Time {
	return now.UTC().Truncate(24 * time.Hour)
}

// Snapshot returns the signed full demo snapshot file for the day of now.
func Snapshot(now time.Time) ([]byte, error) {
	created := CreatedAt(now)
	h := Hasher()
	var entries []wire.Entry
	for _, p := range People() {
		if p.Status == wire.Blue {
			continue
		}
		e := wire.Entry{Subject: h.IIN(p.IIN), Status: p.Status}
		if p.Ends != 0 {
			e.Until = uint32(created.Add(p.Ends).Unix())
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b wire.Entry) int { return wire.CompareSubjects(a.Subject, b.Subject) })
	issuer := IssuerKey().Public().(ed25519.PublicKey)
	m := wire.Manifest{
		Version:        Version(now),
		CreatedAt:      created,
		SubjectHashKey: subjectHashKey(),
		Issuers:        []wire.Issuer{{ID: wire.KeyIDOf(issuer), Name: "Demo pass issuer", PublicKey: issuer}},
		Deployment:     Deployment,
	}
	var buf bytes.Buffer
	if err := wire.WriteFull(&buf, m, slices.Values(entries), HubKey()); err != nil {
		return nil, fmt.Errorf("build demo snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Sample is one demo payload and what a standard entry kiosk says to it.
type Sample struct {
	Label   string
	Payload string
	Expect  string // expected status/verdict/reason, for people reading the list
}

// Samples lists demo payloads of every kind. Passes valid "now" are
// relative to now (the one-hour movement permit); the rest are fixed.
func Samples(now time.Time) ([]Sample, error) {
	// Fixed pass windows: wide, so the README's sample passes stay valid
	// for years; expired and future ones sit firmly outside today.
	var (
		validFrom  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		validTo    = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
		expiredTo  = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		futureFrom = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
	)
	h := Hasher()
	people := People()
	var out []Sample
	for _, p := range people {
		out = append(out, Sample{Label: "IIN, " + p.Label, Payload: p.IIN, Expect: expectFor(p)})
	}
	out = append(out,
		Sample{Label: "IIN with a wrong check digit", Payload: badCheck(people[0].IIN), Expect: "not verified: bad_checksum"},
		Sample{Label: "IIN that is never issued", Payload: neverIssued(), Expect: "not verified: never_issued"},
	)
	type passSpec struct {
		label, expect string
		who           Person
		key           ed25519.PrivateKey
		from, to      time.Time
		tamper        bool
	}
	hour := now.UTC().Truncate(time.Hour)
	specs := []passSpec{
		{"pass, green", "green, admit", people[0], IssuerKey(), validFrom, validTo, false},
		{"pass, blue", "blue, admit", people[2], IssuerKey(), validFrom, validTo, false},
		{"pass, red", "red, deny: isolation", people[3], IssuerKey(), validFrom, validTo, false},
		{"pass, yellow", "yellow, deny: contact", people[4], IssuerKey(), validFrom, validTo, false},
		{"one-hour movement permit (this hour)", "green, admit (valid this hour only)", people[1], IssuerKey(), hour, hour.Add(time.Hour), false},
		{"pass, expired", "not verified: expired", people[0], IssuerKey(), validFrom.AddDate(0, 0, -1), expiredTo, false},
		{"pass, not yet valid", "not verified: not_yet_valid", people[0], IssuerKey(), futureFrom, validTo, false},
		{"pass from an unknown issuer", "not verified: unknown_issuer", people[0], StrangerKey(), validFrom, validTo, false},
		{"pass with a forged signature", "not verified: bad_signature", people[0], IssuerKey(), validFrom, validTo, true},
	}
	for _, s := range specs {
		p := pass.Pass{
			Issuer:    wire.KeyIDOf(s.key.Public().(ed25519.PublicKey)),
			Subject:   h.IIN(s.who.IIN),
			IssuedAt:  s.from,
			NotBefore: s.from,
			ExpiresAt: s.to,
		}
		payload, err := pass.Encode(p, s.key)
		if err != nil {
			return nil, fmt.Errorf("demo pass %q: %w", s.label, err)
		}
		if s.tamper {
			payload = forge(payload)
		}
		out = append(out, Sample{Label: s.label, Payload: payload, Expect: s.expect})
	}
	out = append(out, Sample{Label: "a stray 1D barcode", Payload: "4006381333931", Expect: "not verified: unknown_format"})
	return out, nil
}

func expectFor(p Person) string {
	st := p.Status
	if p.Ends < 0 {
		st = wire.Blue
	}
	switch st {
	case wire.Red:
		return "red, deny: isolation"
	case wire.Yellow:
		return "yellow, deny: contact"
	}
	return st.String() + ", admit"
}

// badCheck returns iin with its check digit changed.
func badCheck(iin string) string {
	d := (iin[11]-'0'+1)%10 + '0'
	return iin[:11] + string(d)
}

// neverIssued finds a 12-digit number whose check digit is undefined.
func neverIssued() string {
	for n := 0; ; n++ {
		first := fmt.Sprintf("9001014%04d", n)
		if _, ok := pass.MakeIIN(first); !ok {
			return first + "0"
		}
	}
}

// forge changes one base45 character inside the signature of a pass,
// keeping it well-formed, so only the signature check fails. The character
// is the low digit of the last full base45 triple; flipping its lowest bit
// moves the triple's value by one, which never leaves the valid range
// (65535 has low digit 15, which flips down).
func forge(payload string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	b := []byte(payload)
	i := len(b) - 5 // body: 48 triples then one final pair
	idx := bytes.IndexByte([]byte(alphabet), b[i])
	b[i] = alphabet[idx^1]
	return string(b)
}

// Payload returns the payload of the demo sample with the given label, as
// Samples(now) lists it.
func Payload(now time.Time, label string) (string, error) {
	samples, err := Samples(now)
	if err != nil {
		return "", err
	}
	for _, s := range samples {
		if s.Label == label {
			return s.Payload, nil
		}
	}
	return "", fmt.Errorf("no demo sample labelled %q", label)
}
