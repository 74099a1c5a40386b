package store

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func visit(t *testing.T, at time.Time, dir string, verdict sv.Decision, subject byte, reasons ...reason.Code) Visit {
	t.Helper()
	id, err := NewVisitID(at, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sv.ParseDirection(dir)
	if err != nil {
		t.Fatal(err)
	}
	v := Visit{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: "k", Venue: "v", Door: "d", Direction: d, Kind: sv.KindIIN, Verdict: verdict, Reasons: reasons}
	if subject != 0 {
		v.Subject = wire.SubjectKey{subject}
	}
	return v
}

func TestCountersPresenceUndo(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	day := t0.Format(time.DateOnly)
	rec := func(v Visit) Counters {
		t.Helper()
		c, err := s.Record(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := visit(t, t0, "entry", VerdictAdmit, 1)
	rec(a)
	rec(visit(t, t0.Add(time.Minute), "entry", VerdictAdmit, 2))
	rec(visit(t, t0.Add(2*time.Minute), "entry", VerdictDeny, 3, reason.Isolation))
	rec(visit(t, t0.Add(3*time.Minute), "entry", VerdictNotVerified, 0, reason.BadChecksum))
	c := rec(visit(t, t0.Add(4*time.Minute), "exit", VerdictAdmit, 2))
	want := Counters{Day: day, Entries: 2, Exits: 1, Inside: 1, NotVerified: 1,
		Denied: map[reason.Code]int{reason.Isolation: 1, reason.BadChecksum: 1}}
	if c.Entries != want.Entries || c.Exits != want.Exits || c.Inside != want.Inside || c.NotVerified != 1 || len(c.Denied) != 2 {
		t.Fatalf("counters %+v, want %+v", c, want)
	}
	first, id, inside, _ := s.Presence(wire.SubjectKey{1}, day)
	if !inside || !first.Equal(t0) || id != a.ID {
		t.Fatalf("presence of 1: %v %v %v", first, id, inside)
	}
	if _, _, inside, _ := s.Presence(wire.SubjectKey{2}, day); inside {
		t.Fatal("2 exited but is inside")
	}
	if _, _, inside, _ := s.Presence(wire.SubjectKey{1}, "2026-11-25"); inside {
		t.Fatal("presence carried over to the next day")
	}

	u := visit(t, t0.Add(5*time.Minute), "entry", VerdictUndo, 1)
	u.Undoes = a.ID
	c = rec(u)
	if c.Entries != 1 || c.Undos != 1 || c.Inside != 0 {
		t.Fatalf("after undo %+v", c)
	}
	if _, _, inside, _ := s.Presence(wire.SubjectKey{1}, day); inside {
		t.Fatal("undone entry still inside")
	}
	again := visit(t, t0.Add(6*time.Minute), "entry", VerdictUndo, 1)
	again.Undoes = a.ID
	if _, err := s.Record(ctx, again); !errors.Is(err, ErrUndoNotAllowed) {
		t.Fatalf("double undo: %v", err)
	}
	undoUndo := visit(t, t0.Add(6*time.Minute), "entry", VerdictUndo, 1)
	undoUndo.Undoes = u.ID
	if _, err := s.Record(ctx, undoUndo); !errors.Is(err, ErrUndoNotAllowed) {
		t.Fatalf("undo of an undo: %v", err)
	}
	if _, err := s.Record(ctx, a); err == nil {
		t.Fatal("the same visit id recorded twice")
	}
}

func TestOutboxAckPrune(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	var ids []VisitID
	for i := 0; i < 10; i++ {
		v := visit(t, t0.Add(time.Duration(i)*24*time.Hour), "entry", VerdictAdmit, byte(i+1))
		if _, err := s.Record(ctx, v); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	pending, _ := s.Pending(3)
	if len(pending) != 3 || pending[0].ID != ids[0] || pending[0].Subject != (wire.SubjectKey{1}) {
		t.Fatalf("pending %+v", pending)
	}
	recent, _ := s.Recent(2)
	if recent[0].ID != ids[9] || recent[1].ID != ids[8] {
		t.Fatal("Recent is not newest first")
	}
	if err := s.Ack(ids[:6]...); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PendingCount(); n != 4 {
		t.Fatalf("pending %d after ack", n)
	}
	// Prune before day 8: days 0..5 are acked and go; 6 and 7 are not acked and stay.
	n, err := s.Prune(ctx, t0.Add(8*24*time.Hour))
	if err != nil || n != 6 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	for i, id := range ids {
		_, ok, _ := s.Visit(id)
		if ok != (i >= 6) {
			t.Fatalf("visit %d present = %v", i, ok)
		}
	}
	if c, _ := s.Counters(t0.Format(time.DateOnly)); c.Entries != 0 {
		t.Fatalf("old counters kept: %+v", c)
	}
	s.Close()
	s, err = Open(path, Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.PendingCount(); n != 4 {
		t.Fatalf("pending %d after reopen", n)
	}
}

func TestVisitIDIsUUIDv7(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	a, _ := NewVisitID(at, rand.Reader)
	b, _ := NewVisitID(at.Add(time.Millisecond), rand.Reader)
	s := a.String()
	if len(s) != 36 || s[14] != '7' || !(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b') {
		t.Fatalf("not a UUIDv7: %s", s)
	}
	if a.String() >= b.String() {
		t.Fatal("ids do not sort by time")
	}
	var back VisitID
	if err := back.UnmarshalText([]byte(s)); err != nil || back != a {
		t.Fatalf("round trip: %v", err)
	}
}
