package kiosk

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// failingStore is a real store whose chosen reads fail.
type failingStore struct {
	checkerStore
	lookup, presence, counters error
}

func (s *failingStore) Lookup(key wire.SubjectKey) (wire.Entry, bool, error) {
	if s.lookup != nil {
		return wire.Entry{}, false, s.lookup
	}
	return s.checkerStore.Lookup(key)
}

func (s *failingStore) Presence(subject wire.SubjectKey, day string) (time.Time, store.VisitID, bool, error) {
	if s.presence != nil {
		return time.Time{}, store.VisitID{}, false, s.presence
	}
	return s.checkerStore.Presence(subject, day)
}

func (s *failingStore) Counters(day string) (store.Counters, error) {
	if s.counters != nil {
		return store.Counters{}, s.counters
	}
	return s.checkerStore.Counters(day)
}

// TestStoreReadFailureIsNeverAnAdmit is issue 7's defect in Checker.decide:
// a failed presence or counters read was ignored, so a full venue looked
// empty and admitted; a failed lookup said no_snapshot whatever the cause.
// Every failed read is NOT VERIFIED: store_corrupt for an integrity
// failure, store_unreadable for any other.
func TestStoreReadFailureIsNeverAnAdmit(t *testing.T) {
	ioErr := errors.New("input/output error")
	corrupt := fmt.Errorf("block 17: %w", store.ErrCorrupt)
	tests := []struct {
		name      string
		fail      failingStore
		direction policy.Direction
		want      reason.Code
	}{
		{"lookup I/O error", failingStore{lookup: ioErr}, policy.Entry, reason.StoreUnreadable},
		{"lookup corrupt", failingStore{lookup: corrupt}, policy.Entry, reason.StoreCorrupt},
		{"lookup error on exit", failingStore{lookup: ioErr}, policy.Exit, reason.StoreUnreadable},
		{"lookup finds the snapshot gone", failingStore{lookup: fmt.Errorf("lookup: %w", store.ErrNoSnapshot)}, policy.Entry, reason.NoSnapshot},
		{"presence I/O error", failingStore{presence: ioErr}, policy.Entry, reason.StoreUnreadable},
		{"presence corrupt", failingStore{presence: corrupt}, policy.Entry, reason.StoreCorrupt},
		{"counters I/O error", failingStore{counters: ioErr}, policy.Entry, reason.StoreUnreadable},
		{"counters corrupt", failingStore{counters: corrupt}, policy.Entry, reason.StoreCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A venue of capacity 1 with one visitor inside: a counters
			// read that fails must not make it look empty.
			f := newFixture(t, Settings{Rules: policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour, Capacity: 1}})
			wantVerdict(t, f.check(demo.People()[0].IIN), Admit, "green")
			fs := tt.fail
			fs.checkerStore = f.st
			s := f.c.Settings()
			s.Direction = tt.direction
			f.clock.add(time.Minute)
			f.c = newChecker(&fs, s, WithClock(f.clock.now))
			for _, p := range []string{demo.People()[2].IIN, demo.People()[0].IIN, sample(t, "pass, blue")} {
				v := f.check(p)
				wantVerdict(t, v, NotVerified, "", tt.want)
				if v.Detail == "" || !v.Recorded {
					t.Fatalf("want a detail and a record: %+v", v)
				}
				f.clock.add(time.Minute)
			}
		})
	}
}
