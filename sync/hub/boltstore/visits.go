package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/visit"
	bolt "go.etcd.io/bbolt"
)

// visitsPage is how many records Visits hands to its callback at a time.
const visitsPage = 1000

// timeKey orders visits by their recorded time, then id: 8 bytes of
// unix nanoseconds (offset so times before 1970 still sort) and the id.
func timeKey(at time.Time, id visit.ID) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 24), uint64(at.UnixNano())^(1<<63))
	return append(k, id[:]...)
}

// IngestVisits implements hub.Storage: the whole batch in one durable
// Update; a visit whose id is stored already is a duplicate and is not
// rewritten, so the first upload of a visit stands.
func (s *Store) IngestVisits(ctx context.Context, kiosk string, visits []visit.Record) ([]hub.IngestResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db, err := s.visitsDB()
	if err != nil {
		return nil, err
	}
	results := make([]hub.IngestResult, len(visits))
	err = db.Update(func(tx *bolt.Tx) error {
		vb, tb, pb, cb := tx.Bucket(bucketVisits), tx.Bucket(bucketVisitsByTime), tx.Bucket(bucketPresence), tx.Bucket(bucketConflicts)
		for i, r := range visits {
			results[i] = hub.IngestResult{ID: r.ID}
			if vb.Get(r.ID[:]) != nil {
				continue
			}
			val, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("visit %s: %w", r.ID, err)
			}
			if err := vb.Put(r.ID[:], val); err != nil {
				return err
			}
			if err := tb.Put(timeKey(r.At, r.ID), nil); err != nil {
				return err
			}
			results[i].New = true
			conflict, err := trackPresence(pb, r)
			if err != nil {
				return err
			}
			results[i].Conflict = conflict
			if conflict {
				c := hub.Conflict{Venue: r.Venue, Day: r.Day, Door: r.Door, Visit: r.ID, At: r.At}
				if err := putJSON(cb, timeKey(r.At, r.ID), c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %d visits from %s: %w", len(visits), kiosk, err)
	}
	return results, nil
}

// Visits implements hub.Storage. Each page is read in its own transaction,
// so a long report never holds one open across the whole range.
func (s *Store) Visits(ctx context.Context, from, to time.Time, fn func([]visit.Record) error) error {
	db, err := s.visitsDB()
	if err != nil {
		return err
	}
	start, end := timeKey(from, visit.ID{}), timeKey(to, visit.ID{})
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var page []visit.Record
		var next []byte
		err := db.View(func(tx *bolt.Tx) error {
			vb, c := tx.Bucket(bucketVisits), tx.Bucket(bucketVisitsByTime).Cursor()
			for k, _ := c.Seek(start); k != nil && string(k) < string(end); k, _ = c.Next() {
				if len(page) == visitsPage {
					next = append([]byte(nil), k...)
					return nil
				}
				var r visit.Record
				if err := json.Unmarshal(vb.Get(k[8:]), &r); err != nil {
					return fmt.Errorf("visit %x: %w", k[8:], err)
				}
				page = append(page, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		start = next
	}
}

// presence is where a subject last moved at a venue on a day.
type presence struct {
	Door   string   `json:"door"`
	Visit  visit.ID `json:"visit"`
	Inside bool     `json:"inside"`
}

// presenceKey is venue, day and subject, separated by NUL bytes (names
// cannot hold one).
func presenceKey(r visit.Record) []byte {
	k := make([]byte, 0, len(r.Venue)+len(r.Day)+2+len(r.Subject))
	k = append(k, r.Venue...)
	k = append(k, 0)
	k = append(k, r.Day...)
	k = append(k, 0)
	return append(k, r.Subject[:]...)
}

// trackPresence updates where an admitted subject is and reports a
// conflict: an entry through one door while inside through another.
func trackPresence(b *bolt.Bucket, r visit.Record) (bool, error) {
	if r.Subject.IsZero() || (r.Decision != visit.Admit && r.Decision != visit.Override) {
		return false, nil
	}
	key := presenceKey(r)
	var p presence
	if raw := b.Get(key); raw != nil {
		if err := json.Unmarshal(raw, &p); err != nil {
			return false, fmt.Errorf("presence record: %w", err)
		}
	}
	conflict := false
	switch r.Direction {
	case visit.Entry:
		conflict = p.Inside && p.Door != r.Door
		p = presence{Door: r.Door, Visit: r.ID, Inside: true}
	case visit.Exit:
		p = presence{Door: r.Door, Visit: r.ID, Inside: false}
	}
	val, err := json.Marshal(p)
	if err != nil {
		return false, err
	}
	return conflict, b.Put(key, val)
}

// Conflicts implements hub.Storage.
func (s *Store) Conflicts(ctx context.Context, from, to time.Time) ([]hub.Conflict, error) {
	db, err := s.visitsDB()
	if err != nil {
		return nil, err
	}
	var out []hub.Conflict
	start, end := timeKey(from, visit.ID{}), timeKey(to, visit.ID{})
	err = db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketConflicts).Cursor()
		for k, v := c.Seek(start); k != nil && string(k) < string(end); k, v = c.Next() {
			var cf hub.Conflict
			if err := json.Unmarshal(v, &cf); err != nil {
				return err
			}
			out = append(out, cf)
		}
		return nil
	})
	return out, err
}
