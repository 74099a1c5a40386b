package store

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/reason"
	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// step is one visit of a counters scenario. undo names the step (by index)
// whose visit this one undoes; -1 for none.
type step struct {
	dir     string
	verdict sv.Decision
	subject byte
	reasons []reason.Code
	undo    int
	wantErr error
}

func admit(dir string, subject byte) step {
	return step{dir: dir, verdict: VerdictAdmit, subject: subject, undo: -1}
}
func deny(subject byte, rs ...reason.Code) step {
	return step{dir: "entry", verdict: VerdictDeny, subject: subject, reasons: rs, undo: -1}
}
func unverified(rs ...reason.Code) step {
	return step{dir: "entry", verdict: VerdictNotVerified, reasons: rs, undo: -1}
}
func undoOf(i int) step { return step{dir: "entry", verdict: VerdictUndo, undo: i} }

func TestCounterSemantics(t *testing.T) {
	notAllowed := func(s step) step { s.wantErr = ErrUndoNotAllowed; return s }
	tests := []struct {
		name   string
		steps  []step
		want   Counters      // Day is filled in
		inside map[byte]bool // presence after the steps
	}{
		{"admitted entries", []step{admit("entry", 1), admit("entry", 2)},
			Counters{Entries: 2, Inside: 2}, map[byte]bool{1: true, 2: true}},
		{"re-entry keeps the first presence and counts inside once", []step{admit("entry", 1), admit("entry", 1)},
			Counters{Entries: 2, Inside: 1}, map[byte]bool{1: true}},
		{"many re-entries are one person inside", []step{admit("entry", 1), admit("entry", 2), admit("entry", 1), admit("entry", 1)},
			Counters{Entries: 4, Inside: 2}, map[byte]bool{1: true, 2: true}},
		{"re-entry then exit leaves nobody inside", []step{admit("entry", 1), admit("entry", 1), admit("exit", 1)},
			Counters{Entries: 2, Exits: 1}, map[byte]bool{1: false}},
		{"entry after exit is inside again", []step{admit("entry", 1), admit("exit", 1), admit("entry", 1)},
			Counters{Entries: 2, Exits: 1, Inside: 1}, map[byte]bool{1: true}},
		{"a second exit of one who left takes nobody else out", []step{admit("entry", 1), admit("entry", 2), admit("exit", 1), admit("exit", 1)},
			Counters{Entries: 2, Exits: 2, Inside: 1}, map[byte]bool{1: false, 2: true}},
		{"entries without subject count each", []step{admit("entry", 0), admit("entry", 0)},
			Counters{Entries: 2, Inside: 2}, nil},
		{"exit of one not seen entering takes one out", []step{admit("entry", 1), admit("entry", 2), admit("exit", 3)},
			Counters{Entries: 2, Exits: 1, Inside: 1}, map[byte]bool{1: true, 2: true}},
		{"undo of the first entry after a re-entry takes the person out", []step{admit("entry", 1), admit("entry", 1), undoOf(0)},
			Counters{Entries: 1, Undos: 1}, map[byte]bool{1: false}},
		{"undo of an exit that took nobody out", []step{admit("exit", 1), undoOf(0)},
			Counters{Undos: 1}, map[byte]bool{1: false}},
		{"undo of a second exit keeps the first", []step{admit("entry", 1), admit("entry", 2), admit("exit", 1), admit("exit", 1), undoOf(3)},
			Counters{Entries: 2, Exits: 1, Inside: 1, Undos: 1}, map[byte]bool{1: false, 2: true}},
		{"undo of an unmatched exit puts one back", []step{admit("entry", 0), admit("exit", 3), undoOf(1)},
			Counters{Entries: 1, Inside: 1, Undos: 1}, nil},
		{"exit clears presence", []step{admit("entry", 1), admit("exit", 1)},
			Counters{Entries: 1, Exits: 1}, map[byte]bool{1: false}},
		{"exit without subject still counts", []step{admit("entry", 1), admit("exit", 0)},
			Counters{Entries: 1, Exits: 1}, map[byte]bool{1: true}},
		{"inside never negative", []step{admit("exit", 1), admit("exit", 2)},
			Counters{Exits: 2}, map[byte]bool{1: false}},
		{"denials by first reason", []step{deny(1, reason.Isolation, reason.Schedule), deny(2, reason.Contact), deny(3, reason.Isolation)},
			Counters{Denied: map[reason.Code]int{reason.Isolation: 2, reason.Contact: 1}}, map[byte]bool{1: false}},
		{"denial without reason", []step{deny(1)},
			Counters{Denied: map[reason.Code]int{unspecifiedReason: 1}}, nil},
		{"not verified counts as denied too", []step{unverified(reason.BadChecksum), unverified(reason.UnknownFormat)},
			Counters{NotVerified: 2, Denied: map[reason.Code]int{reason.BadChecksum: 1, reason.UnknownFormat: 1}}, nil},
		{"undo entry", []step{admit("entry", 1), undoOf(0)},
			Counters{Undos: 1}, map[byte]bool{1: false}},
		{"undo exit puts the subject back inside", []step{admit("entry", 1), admit("exit", 1), undoOf(1)},
			Counters{Entries: 1, Inside: 1, Undos: 1}, map[byte]bool{1: true}},
		{"undo denial", []step{deny(1, reason.Full), undoOf(0)},
			Counters{Undos: 1}, nil},
		{"undo not verified", []step{unverified(reason.Malformed), undoOf(0)},
			Counters{Undos: 1}, nil},
		{"undo of the re-entry keeps the first", []step{admit("entry", 1), admit("entry", 1), undoOf(1)},
			Counters{Entries: 1, Inside: 1, Undos: 1}, map[byte]bool{1: true}},
		{"double undo refused", []step{admit("entry", 1), undoOf(0), notAllowed(undoOf(0))},
			Counters{Undos: 1}, map[byte]bool{1: false}},
		{"undo of undo refused", []step{admit("entry", 1), undoOf(0), notAllowed(undoOf(1))},
			Counters{Undos: 1}, map[byte]bool{1: false}},
		{"undo of unknown visit refused", []step{admit("entry", 1), notAllowed(undoOf(5))},
			Counters{Entries: 1, Inside: 1}, map[byte]bool{1: true}},
	}
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	day := t0.Format(time.DateOnly)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{NoSync: true})
			var ids []VisitID
			for i, st := range tt.steps {
				v := visit(t, t0.Add(time.Duration(i)*time.Second), st.dir, st.verdict, st.subject, st.reasons...)
				if st.undo >= 0 {
					if st.undo < len(ids) {
						v.Undoes = ids[st.undo]
					} else {
						v.Undoes = VisitID{0xee}
					}
				}
				ids = append(ids, v.ID)
				_, err := s.Record(context.Background(), v)
				if !errors.Is(err, st.wantErr) || (err == nil) != (st.wantErr == nil) {
					t.Fatalf("step %d: err = %v, want %v", i, err, st.wantErr)
				}
			}
			got, err := s.Counters(day)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Day = day
			if want.Denied == nil {
				want.Denied = map[reason.Code]int{}
			}
			if got.Entries != want.Entries || got.Exits != want.Exits || got.Inside != want.Inside ||
				got.NotVerified != want.NotVerified || got.Undos != want.Undos || got.Day != want.Day || !maps.Equal(got.Denied, want.Denied) {
				t.Fatalf("counters\n got %+v\nwant %+v", got, want)
			}
			for subj, wantIn := range tt.inside {
				if _, _, in, err := s.Presence(wire.SubjectKey{subj}, day); err != nil || in != wantIn {
					t.Fatalf("subject %d inside = %v (%v), want %v", subj, in, err, wantIn)
				}
			}
		})
	}
}

func TestLastDecision(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	if _, _, ok, err := s.LastDecision(); ok || err != nil {
		t.Fatalf("empty log: ok=%v err=%v", ok, err)
	}
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	a := visit(t, t0, "entry", VerdictAdmit, 1)
	if _, err := s.Record(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if v, undone, ok, _ := s.LastDecision(); !ok || undone || v.ID != a.ID || v.Subject != (wire.SubjectKey{1}) {
		t.Fatalf("last = %+v undone=%v ok=%v", v, undone, ok)
	}
	u := visit(t, t0.Add(time.Minute), "entry", VerdictUndo, 1)
	u.Undoes = a.ID
	if _, err := s.Record(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if v, _, _, _ := s.LastDecision(); v.ID != u.ID || v.Undoes != a.ID {
		t.Fatalf("last after undo = %+v", v)
	}
	if by, undone, err := s.Undone(a.ID); !undone || by != u.ID || err != nil {
		t.Fatalf("Undone(a) = %v %v %v", by, undone, err)
	}
	if _, undone, _ := s.Undone(u.ID); undone {
		t.Fatal("the undo itself reads as undone")
	}
}

// TestPresenceAcrossDays: presence is per day; yesterday's entry does not
// make anyone inside today, and today's entry replaces it.
func TestPresenceAcrossDays(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	d1 := time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC)
	d2 := d1.Add(12 * time.Hour)
	if _, err := s.Record(ctx, visit(t, d1, "entry", VerdictAdmit, 1)); err != nil {
		t.Fatal(err)
	}
	if _, _, in, _ := s.Presence(wire.SubjectKey{1}, d2.Format(time.DateOnly)); in {
		t.Fatal("yesterday's entry counts today")
	}
	b := visit(t, d2, "entry", VerdictAdmit, 1)
	if _, err := s.Record(ctx, b); err != nil {
		t.Fatal(err)
	}
	first, id, in, _ := s.Presence(wire.SubjectKey{1}, d2.Format(time.DateOnly))
	if !in || id != b.ID || !first.Equal(d2) {
		t.Fatalf("today: %v %v %v", first, id, in)
	}
	// Pruning before today drops yesterday's counters but keeps today's presence.
	if _, err := s.Prune(ctx, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, _, in, _ := s.Presence(wire.SubjectKey{1}, d2.Format(time.DateOnly)); !in {
		t.Fatal("prune dropped today's presence")
	}
	if c, _ := s.Counters(d1.Format(time.DateOnly)); c.Entries != 0 {
		t.Fatalf("yesterday's counters kept: %+v", c)
	}
}

// TestPruneManyBatches prunes more than one batch, with unacknowledged
// visits scattered among them, which stay.
func TestPruneManyBatches(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	const n = pruneBatch*2 + 17
	var acked, kept []VisitID
	for i := 0; i < n; i += 500 {
		// 500 visits per transaction: Record would fsync each.
		err := s.logUpdate(func(tx *txT) error {
			for j := i; j < min(n, i+500); j++ {
				v := visit(t, t0.Add(time.Duration(j)*time.Second), "entry", VerdictDeny, 0, reason.Full)
				raw, err := encodeVisit(v, nil)
				if err != nil {
					return err
				}
				if err := tx.Bucket([]byte(bucketVisits)).Put(v.ID[:], raw); err != nil {
					return err
				}
				if j%7 == 0 {
					kept = append(kept, v.ID)
					if err := tx.Bucket([]byte(bucketOutbox)).Put(v.ID[:], nil); err != nil {
						return err
					}
				} else {
					acked = append(acked, v.ID)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	pruned, err := s.Prune(ctx, t0.Add(time.Duration(n)*time.Second))
	if err != nil || pruned != len(acked) {
		t.Fatalf("pruned %d (%v), want %d", pruned, err, len(acked))
	}
	if c, _ := s.PendingCount(); c != len(kept) {
		t.Fatalf("pending %d, want %d", c, len(kept))
	}
	for _, id := range kept {
		if _, ok, _ := s.Visit(id); !ok {
			t.Fatalf("unacknowledged visit %s pruned", id)
		}
	}
}

// TestUndoOfVisitRecordedBeforeInsideEffect: a visit recorded by a store
// that did not keep inside_effect had done entries minus exits to Inside;
// its undo takes back just that.
func TestUndoOfVisitRecordedBeforeInsideEffect(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		dir        string
		wantInside int
	}{{"entry", 2}, {"exit", 4}} // one day: 2 entries, +1, undone; 2 more, -1, undone
	for i, tt := range tests {
		base := t0.Add(time.Duration(i) * time.Hour)
		for j := range 2 {
			if _, err := s.Record(ctx, visit(t, base.Add(time.Duration(j)*time.Second), "entry", VerdictAdmit, 0)); err != nil {
				t.Fatal(err)
			}
		}
		v := visit(t, base.Add(time.Minute), tt.dir, VerdictAdmit, 0)
		if _, err := s.Record(ctx, v); err != nil {
			t.Fatal(err)
		}
		err := s.logUpdate(func(tx *bolt.Tx) error { // as an older store wrote it
			raw, err := encodeVisit(v, nil)
			if err != nil {
				return err
			}
			return tx.Bucket([]byte(bucketVisits)).Put(v.ID[:], raw)
		})
		if err != nil {
			t.Fatal(err)
		}
		u := visit(t, base.Add(2*time.Minute), tt.dir, VerdictUndo, 0)
		u.Undoes = v.ID
		c, err := s.Record(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if c.Inside != tt.wantInside {
			t.Fatalf("undo of an old %s: inside %d, want %d", tt.dir, c.Inside, tt.wantInside)
		}
	}
}
