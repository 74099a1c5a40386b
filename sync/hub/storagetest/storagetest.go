// Package storagetest is the conformance suite of hub.Storage: every
// backend runs the same assertions through Run. TestBackends in this
// package's tests is the one table of backends (bbolt and PostgreSQL).
package storagetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Open returns a fresh, empty storage for one test; the suite closes it.
type Open func(t *testing.T) hub.Storage

// Run runs every assertion against storages made by open.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, hub.Storage)
	}{
		{"SnapshotVersions", testSnapshots},
		{"Enrollment", testEnrollment},
		{"ConcurrentRedeem", testConcurrentRedeem},
		{"Kiosks", testKiosks},
		{"Visits", testVisits},
		{"Conflicts", testConflicts},
		{"Report", testReport},
		{"ReportGenerated", testReportGenerated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			}()
			tc.fn(t, s)
		})
	}
}

var t0 = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

func fileRef(base, v uint64) protocol.FileRef {
	name := protocol.FullName(v)
	if base != 0 {
		name = protocol.DeltaName(base, v)
	}
	sum := sha256.Sum256([]byte(name))
	return protocol.FileRef{BaseVersion: base, Version: v, Name: name, Size: 1000 + int64(v), SHA256: hex.EncodeToString(sum[:]), Records: v}
}

func version(v uint64) hub.SnapshotVersion {
	sv := hub.SnapshotVersion{Version: v, CreatedAt: t0.Add(time.Duration(v) * time.Hour), Entries: v * 10, Red: v, Yellow: 2 * v, Green: 7 * v, Full: fileRef(0, v)}
	if v > 1 {
		sv.Delta = fileRef(v-1, v)
	}
	return sv
}

func testSnapshots(t *testing.T, s hub.Storage) {
	ctx := context.Background()
	if _, err := s.LatestSnapshot(ctx); !errors.Is(err, hub.ErrNotFound) {
		t.Fatalf("latest of an empty storage: %v", err)
	}
	if vs, err := s.SnapshotVersions(ctx, 10, 5); err != nil || len(vs) != 0 {
		t.Fatalf("versions of an empty storage: %v %v", vs, err)
	}
	for _, v := range []uint64{2, 0} {
		if err := s.PublishSnapshot(ctx, version(v)); !errors.Is(err, hub.ErrVersionOrder) {
			t.Fatalf("publish %d first: %v", v, err)
		}
	}
	for v := uint64(1); v <= 5; v++ {
		if err := s.PublishSnapshot(ctx, version(v)); err != nil {
			t.Fatalf("publish %d: %v", v, err)
		}
	}
	for _, v := range []uint64{5, 7, 3} {
		if err := s.PublishSnapshot(ctx, version(v)); !errors.Is(err, hub.ErrVersionOrder) {
			t.Fatalf("publish %d after 5: %v", v, err)
		}
	}
	latest, err := s.LatestSnapshot(ctx)
	if err != nil || latest.Version != 5 || latest.Delta.BaseVersion != 4 || !latest.CreatedAt.Equal(version(5).CreatedAt) || latest.Green != 35 {
		t.Fatalf("latest: %+v %v", latest, err)
	}
	for _, tc := range []struct {
		newest uint64
		limit  int
		want   string
	}{
		{5, 10, "[5 4 3 2 1]"},
		{100, 2, "[5 4]"},
		{3, 2, "[3 2]"},
		{1, 5, "[1]"},
		{0, 5, "[]"},
	} {
		vs, err := s.SnapshotVersions(ctx, tc.newest, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		got := []uint64{}
		for _, v := range vs {
			got = append(got, v.Version)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("versions(%d, %d) = %v, want %s", tc.newest, tc.limit, got, tc.want)
		}
	}
}

func enrollment(token string, expires time.Time) hub.Enrollment {
	return hub.Enrollment{Token: hub.HashToken([]byte(token)), Venue: "cinema-7", Door: "north", Direction: visit.Entry, CreatedAt: t0, ExpiresAt: expires}
}

func testEnrollment(t *testing.T, s hub.Storage) {
	ctx := context.Background()
	e := enrollment("tok-1", t0.Add(24*time.Hour))
	if err := s.CreateEnrollment(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEnrollment(ctx, e); !errors.Is(err, hub.ErrExists) {
		t.Fatalf("same token twice: %v", err)
	}
	if err := s.CreateEnrollment(ctx, enrollment("tok-old", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemEnrollment(ctx, hub.HashToken([]byte("nope")), hub.Kiosk{ID: "k-0", EnrolledAt: t0}); !errors.Is(err, hub.ErrTokenUnknown) {
		t.Fatalf("unknown token: %v", err)
	}
	if _, err := s.RedeemEnrollment(ctx, hub.HashToken([]byte("tok-old")), hub.Kiosk{ID: "k-0", EnrolledAt: t0.Add(time.Hour)}); !errors.Is(err, hub.ErrTokenExpired) {
		t.Fatalf("token redeemed at its expiry: %v", err)
	}
	k, err := s.RedeemEnrollment(ctx, e.Token, hub.Kiosk{ID: "k-1", Venue: "ignored", EnrolledAt: t0.Add(time.Minute), Device: "pi"})
	if err != nil {
		t.Fatal(err)
	}
	if k.Venue != "cinema-7" || k.Door != "north" || k.Direction != visit.Entry || k.ID != "k-1" {
		t.Fatalf("redeemed kiosk takes its place from the enrollment: %+v", k)
	}
	if _, err := s.RedeemEnrollment(ctx, e.Token, hub.Kiosk{ID: "k-2", EnrolledAt: t0.Add(2 * time.Minute)}); !errors.Is(err, hub.ErrTokenUsed) {
		t.Fatalf("second redeem: %v", err)
	}
	if _, err := s.Kiosk(ctx, "k-2"); !errors.Is(err, hub.ErrNotFound) {
		t.Fatalf("a refused redeem made a kiosk: %v", err)
	}
}

func testConcurrentRedeem(t *testing.T, s hub.Storage) {
	ctx := context.Background()
	e := enrollment("tok-race", t0.Add(time.Hour))
	if err := s.CreateEnrollment(ctx, e); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.RedeemEnrollment(ctx, e.Token, hub.Kiosk{ID: fmt.Sprintf("k-%d", i), EnrolledAt: t0})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, hub.ErrTokenUsed):
			t.Errorf("concurrent redeem: %v", err)
		}
	}
	if ks, _ := s.Kiosks(ctx); ok != 1 || len(ks) != 1 {
		t.Fatalf("%d of %d concurrent redeems succeeded, %d kiosks; want exactly one", ok, n, len(ks))
	}
}

func testKiosks(t *testing.T, s hub.Storage) {
	ctx := context.Background()
	for i, id := range []string{"k-b", "k-a"} {
		tok := "t-" + id
		if err := s.CreateEnrollment(ctx, enrollment(tok, t0.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RedeemEnrollment(ctx, hub.HashToken([]byte(tok)), hub.Kiosk{ID: id, EnrolledAt: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	ks, err := s.Kiosks(ctx)
	if err != nil || len(ks) != 2 || ks[0].ID != "k-a" || ks[1].ID != "k-b" {
		t.Fatalf("kiosks ordered by id: %+v %v", ks, err)
	}
	err = s.RecordContacts(ctx, []hub.Contact{
		{Kiosk: "k-a", At: t0.Add(9 * time.Minute), SnapshotVersion: 4, Backlog: 12, HasBacklog: true},
		{Kiosk: "k-b", At: t0.Add(5 * time.Minute), SnapshotVersion: 3},
		{Kiosk: "k-unknown", At: t0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordContacts(ctx, []hub.Contact{{Kiosk: "k-a", At: t0.Add(time.Minute), SnapshotVersion: 1, HasBacklog: true}}); err != nil {
		t.Fatal(err)
	}
	// A newer contact that knows neither version nor backlog (a manifest
	// poll) moves the time only.
	if err := s.RecordContacts(ctx, []hub.Contact{{Kiosk: "k-a", At: t0.Add(10 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Kiosk(ctx, "k-a")
	if err != nil || !a.LastContact.Equal(t0.Add(10*time.Minute)) || a.SnapshotVersion != 4 || a.Backlog != 12 {
		t.Fatalf("contact (an older one must not win): %+v %v", a, err)
	}
	r1, err := s.RevokeKiosk(ctx, "k-a", t0.Add(time.Hour))
	if err != nil || !r1.Revoked() {
		t.Fatalf("revoke: %+v %v", r1, err)
	}
	r2, err := s.RevokeKiosk(ctx, "k-a", t0.Add(2*time.Hour))
	if err != nil || !r2.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("second revoke must keep the first time: %+v %v", r2, err)
	}
	if _, err := s.RevokeKiosk(ctx, "k-zzz", t0); !errors.Is(err, hub.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func record(i int, at time.Time) visit.Record {
	var id visit.ID
	ms := uint64(at.UnixMilli())
	for j := 0; j < 6; j++ {
		id[j] = byte(ms >> (40 - 8*j))
	}
	id[6], id[8] = 0x70, 0x80
	id[12], id[13], id[14], id[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
	return visit.Record{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: "k-a", Venue: "cinema-7", Door: "north",
		Direction: visit.Entry, Kind: visit.KindIIN, Subject: visit.Subject{1, byte(i)}, Status: wire.Green, Decision: visit.Admit}
}

func testVisits(t *testing.T, s hub.Storage) {
	ctx := context.Background()
	var batch []visit.Record
	for i := range 2500 {
		batch = append(batch, record(i, t0.Add(time.Duration(i)*time.Second)))
	}
	res, err := s.IngestVisits(ctx, "k-a", batch[:1500])
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.New || r.ID != batch[i].ID {
			t.Fatalf("first upload, visit %d: %+v", i, r)
		}
	}
	// An overlapping batch: the first 1,000 again, then 1,000 new ones.
	res, err = s.IngestVisits(ctx, "k-a", batch[500:2500])
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if want := 500+i >= 1500; r.New != want || r.ID != batch[500+i].ID {
			t.Fatalf("overlapping upload, visit %d: %+v, want new=%v", 500+i, r, want)
		}
	}
	var got []visit.Record
	pages := 0
	err = s.Visits(ctx, t0.Add(100*time.Second), t0.Add(2200*time.Second), func(p []visit.Record) error {
		pages++
		got = append(got, p...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2100 || pages < 2 {
		t.Fatalf("range read: %d visits in %d pages, want 2100 in several", len(got), pages)
	}
	for i, r := range got {
		if r.ID != batch[100+i].ID || !r.At.Equal(batch[100+i].At) || r.Decision != visit.Admit || r.Subject != batch[100+i].Subject {
			t.Fatalf("range read, visit %d out of order or changed: %+v", i, r)
		}
	}
	stop := errors.New("stop")
	if err := s.Visits(ctx, t0, t0.Add(time.Hour), func([]visit.Record) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("callback error not returned: %v", err)
	}
}

func testConflicts(t *testing.T, s hub.Storage) {
	ctx := context.Background()
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	mk := func(i int, subject byte, door string, dir visit.Direction, dec visit.Decision) visit.Record {
		r := record(i, at(i))
		r.Subject, r.Door, r.Direction, r.Decision = visit.Subject{subject}, door, dir, dec
		return r
	}
	batch := []visit.Record{
		mk(1, 1, "north", visit.Entry, visit.Admit), // inside via north
		mk(2, 1, "south", visit.Entry, visit.Admit), // conflict: no exit between
		mk(3, 1, "south", visit.Exit, visit.Admit),  // leaves
		mk(4, 1, "north", visit.Entry, visit.Admit), // back in: fine
		mk(5, 1, "north", visit.Entry, visit.Admit), // re-entry at the same door: not a door conflict
		mk(6, 2, "north", visit.Entry, visit.Deny),  // denied: never inside
		mk(7, 2, "south", visit.Entry, visit.Admit), // fine
		mk(8, 3, "north", visit.Entry, visit.Admit),
		mk(9, 3, "south", visit.Entry, visit.NotVerified), // not admitted: no conflict
	}
	other := mk(10, 1, "south", visit.Entry, visit.Admit)
	other.Day = "2026-12-03" // another day: not inside
	batch = append(batch, other)
	res, err := s.IngestVisits(ctx, "k-a", batch)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for i, r := range res {
		if r.Conflict {
			got = append(got, i+1)
		}
	}
	if fmt.Sprint(got) != "[2]" {
		t.Fatalf("conflicts at visits %v, want [2]", got)
	}
	cs, err := s.Conflicts(ctx, t0, t0.Add(time.Hour))
	if err != nil || len(cs) != 1 || cs[0].Visit != batch[1].ID || cs[0].Door != "south" || cs[0].Venue != "cinema-7" || cs[0].Day != batch[1].Day {
		t.Fatalf("stored conflicts: %+v %v", cs, err)
	}
	if cs, _ := s.Conflicts(ctx, t0.Add(3*time.Minute), t0.Add(time.Hour)); len(cs) != 0 {
		t.Fatalf("conflicts outside the range: %+v", cs)
	}
	// A duplicate is never a new conflict.
	res, err = s.IngestVisits(ctx, "k-a", batch[1:2])
	if err != nil || res[0].New || res[0].Conflict {
		t.Fatalf("duplicate of a conflicting visit: %+v %v", res, err)
	}
}
