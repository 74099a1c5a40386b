package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/sync/reason"
	sv "github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Counters are one day's numbers at one venue door.
//
// Every denial and every unverified scan counts once in Denied, under its
// first reason (the one the screen shows), so the values of Denied sum to
// the number of such decisions; one recorded without a reason counts under
// "unspecified". NotVerified counts the unverified ones again on their own.
// An undo is counted on the day of the decision it reverses, and takes that
// decision's effect back there.
type Counters struct {
	Day         string              `json:"day"`
	Entries     int                 `json:"entries"` // admitted entries
	Exits       int                 `json:"exits"`
	Inside      int                 `json:"inside"`       // max(0, entries - exits)
	Denied      map[reason.Code]int `json:"denied"`       // denials and unverified scans, by their first reason
	NotVerified int                 `json:"not_verified"` // of which not verified
	Undos       int                 `json:"undos"`
	Overrides   int                 `json:"overrides,omitempty"` // admitted by an admin after a deny, also in Entries (or Exits)
}

// unspecifiedReason is where a denial recorded without any reason counts.
const unspecifiedReason reason.Code = "unspecified"

// presence is a subject's admitted entry of one day. An exit marks it
// rather than deleting it, so undoing that exit puts the subject back
// inside.
type presence struct {
	Day   string    `json:"day"`
	At    time.Time `json:"at"`
	Visit VisitID   `json:"visit"`         // the admitted entry
	Exit  VisitID   `json:"exit,omitzero"` // the exit since, if any
}

// insideOn reports whether p places its subject inside on day.
func (p presence) insideOn(day string) bool { return p.Day == day && p.Exit.IsZero() }

// Record commits a visit — the record, its outbox entry, the day's
// counters and presence — in one transaction, fsynced before it returns.
// An undo visit (Verdict "undo") reverses the visit it names. The returned
// counters are the day's after this visit.
func (s *Store) Record(ctx context.Context, v Visit) (Counters, error) {
	if err := ctx.Err(); err != nil {
		return Counters{}, err
	}
	if v.ID.IsZero() || v.Day == "" {
		return Counters{}, fmt.Errorf("record visit: id and day are required")
	}
	if !v.Direction.Valid() || !v.Kind.Valid() || !v.Verdict.Valid() {
		// Stored, it could never be read back as JSON nor uploaded.
		return Counters{}, fmt.Errorf("record visit %s: direction %v, kind %v, verdict %v: not all known", v.ID, v.Direction, v.Kind, v.Verdict)
	}
	var out Counters
	err := s.logUpdate(func(tx *bolt.Tx) error {
		visits := tx.Bucket([]byte(bucketVisits))
		if visits.Get(v.ID[:]) != nil {
			return fmt.Errorf("visit %s already recorded", v.ID)
		}
		var err error
		var effect *int // what v did to Inside, kept so that its undo takes back exactly that
		if v.Verdict == VerdictUndo {
			out, err = undo(tx, v)
		} else {
			var d int
			out, d, err = apply(tx, v, +1, 0)
			effect = &d
		}
		if err != nil {
			return err
		}
		raw, err := encodeVisit(v, effect)
		if err != nil {
			return err
		}
		if err := visits.Put(v.ID[:], raw); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketOutbox)).Put(v.ID[:], nil)
	})
	if err != nil {
		return Counters{}, fmt.Errorf("record visit %s: %w", v.ID, err)
	}
	if err := s.stillAtPath(); err != nil {
		return Counters{}, fmt.Errorf("record visit %s: %w", v.ID, err)
	}
	return out, nil
}

// apply adds (sign +1) or takes back (sign -1) a visit's effect on its
// day's counters and on presence. Adding, it returns what the visit did to
// Inside; taking back, it takes back taken, what the visit did to Inside
// when it was added.
func apply(tx *bolt.Tx, v Visit, sign, taken int) (Counters, int, error) {
	c, err := counters(tx, v.Day)
	if err != nil {
		return c, 0, err
	}
	pres := tx.Bucket([]byte(bucketPresence))
	effect := 0
	switch v.Verdict {
	case VerdictAdmit, VerdictOverride:
		if v.Verdict == VerdictOverride {
			c.Overrides += sign
		}
		exit := v.Direction == sv.Exit
		if exit {
			c.Exits += sign
		} else {
			c.Entries += sign
		}
		seen := unseen
		if !v.Subject.IsZero() {
			if seen, err = applyPresence(pres, v, exit, sign); err != nil {
				return c, 0, err
			}
		}
		if sign > 0 {
			effect = insideEffect(exit, seen, c.Inside)
			c.Inside += effect
		} else {
			c.Inside = max(0, c.Inside-taken)
		}
	case VerdictDeny, VerdictNotVerified:
		if v.Verdict == VerdictNotVerified {
			c.NotVerified += sign
		}
		first := unspecifiedReason
		if len(v.Reasons) > 0 {
			first = v.Reasons[0]
		}
		c.Denied[first] += sign
		if c.Denied[first] <= 0 {
			delete(c.Denied, first)
		}
	default:
		return c, 0, fmt.Errorf("unknown verdict %v", v.Verdict)
	}
	return c, effect, putCounters(tx, c)
}

// seenAs is what an admitted visit found in its subject's presence of the
// day.
type seenAs uint8

const (
	unseen    seenAs = iota // no presence that day (or no subject): entering now, or left unseen
	entered                 // an entry that made its subject inside
	reentered               // an entry of a subject already inside
	left                    // an exit that took a present subject out
	gone                    // an exit of a subject who had already left
)

// insideEffect is what an admitted visit does to Inside, its value so far.
// Inside counts people, not admits: a re-entry without an exit is the same
// person, and so is a second exit of one who already left. Visits that
// cannot be told apart by subject (none, or a subject never seen entering
// at this kiosk that day: another door, before midnight) count one each.
// Inside never goes below zero; the effect is what was applied, so an undo
// takes back exactly that.
func insideEffect(exit bool, seen seenAs, before int) int {
	switch {
	case !exit && seen == reentered:
		return 0
	case !exit:
		return +1
	case seen == gone || before == 0:
		return 0
	}
	return -1
}

// applyPresence adds (sign +1) or takes back (sign -1) an admitted
// visit's effect on its subject's presence, and says what adding it
// found:
//
//	entry: inside from this visit, unless already inside that day;
//	exit:  marks the day's presence as left;
//	undo of an entry: the presence it created goes;
//	undo of an exit: the presence it marked is inside again.
func applyPresence(pres *bolt.Bucket, v Visit, exit bool, sign int) (seenAs, error) {
	p, found, err := getPresence(pres, v.Subject)
	if err != nil {
		return unseen, err
	}
	sameDay := found && p.Day == v.Day
	switch {
	case !exit && sign > 0:
		if sameDay && p.Exit.IsZero() {
			return reentered, nil // re-entry without exit: the first entry stands
		}
		return entered, putPresence(pres, v.Subject, presence{Day: v.Day, At: v.At, Visit: v.ID})
	case !exit && sign < 0:
		if sameDay && p.Visit == v.ID {
			return unseen, pres.Delete(v.Subject[:])
		}
	case exit && sign > 0:
		if !sameDay {
			return unseen, nil
		}
		if !p.Exit.IsZero() {
			return gone, nil
		}
		p.Exit = v.ID
		return left, putPresence(pres, v.Subject, p)
	case exit && sign < 0:
		if sameDay && p.Exit == v.ID {
			p.Exit = VisitID{}
			return unseen, putPresence(pres, v.Subject, p)
		}
	}
	return unseen, nil
}

// undo reverses the visit that v names, once.
func undo(tx *bolt.Tx, v Visit) (Counters, error) {
	raw := tx.Bucket([]byte(bucketVisits)).Get(v.Undoes[:])
	if raw == nil {
		return Counters{}, fmt.Errorf("%w: visit %s not found", ErrUndoNotAllowed, v.Undoes)
	}
	origRec, err := decodeRecord(raw)
	if err != nil {
		return Counters{}, err
	}
	orig := origRec.Visit
	if orig.Verdict == VerdictUndo {
		return Counters{}, fmt.Errorf("%w: %s is itself an undo", ErrUndoNotAllowed, v.Undoes)
	}
	undone := tx.Bucket([]byte(bucketUndone))
	if undone.Get(v.Undoes[:]) != nil {
		return Counters{}, fmt.Errorf("%w: %s was already undone", ErrUndoNotAllowed, v.Undoes)
	}
	if err := undone.Put(v.Undoes[:], v.ID[:]); err != nil {
		return Counters{}, err
	}
	c, _, err := apply(tx, orig, -1, origRec.insideEffect())
	if err != nil {
		return c, err
	}
	c.Undos++
	if c.Day != v.Day {
		// The undo is counted on the day of the decision it reverses.
		if err := putCounters(tx, c); err != nil {
			return c, err
		}
		today, err := counters(tx, v.Day)
		if err != nil {
			return c, err
		}
		return today, nil
	}
	return c, putCounters(tx, c)
}

func counters(tx *bolt.Tx, day string) (Counters, error) {
	c := Counters{Day: day, Denied: map[reason.Code]int{}}
	raw := tx.Bucket([]byte(bucketCounters)).Get([]byte(day))
	if raw == nil {
		return c, nil
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("decode counters for %s: %w", day, err)
	}
	if c.Denied == nil {
		c.Denied = map[reason.Code]int{}
	}
	return c, nil
}

func putCounters(tx *bolt.Tx, c Counters) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.Bucket([]byte(bucketCounters)).Put([]byte(c.Day), raw)
}

// getPresence reads a subject's presence record, of whatever day.
func getPresence(b *bolt.Bucket, subject wire.SubjectKey) (presence, bool, error) {
	raw := b.Get(subject[:])
	if raw == nil {
		return presence{}, false, nil
	}
	var p presence
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, false, fmt.Errorf("decode presence: %w", err)
	}
	return p, true, nil
}

func putPresence(b *bolt.Bucket, subject wire.SubjectKey, p presence) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return b.Put(subject[:], raw)
}

func encodeVisit(v Visit, insideEffect *int) ([]byte, error) {
	r := visitRecord{Visit: v, InsideEffect: insideEffect}
	if !v.Subject.IsZero() {
		r.SubjectHex = hex.EncodeToString(v.Subject[:])
	}
	return json.Marshal(r)
}

func decodeVisit(raw []byte) (Visit, error) {
	r, err := decodeRecord(raw)
	return r.Visit, err
}

func decodeRecord(raw []byte) (visitRecord, error) {
	var r visitRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return visitRecord{}, fmt.Errorf("decode visit: %w", err)
	}
	if !r.Direction.Valid() || !r.Kind.Valid() || !r.Verdict.Valid() {
		// Record never writes such a visit; one read back so is damaged.
		return visitRecord{}, fmt.Errorf("decode visit %s: direction, kind or verdict missing", r.ID)
	}
	if r.SubjectHex != "" {
		b, err := hex.DecodeString(r.SubjectHex)
		if err != nil || len(b) != wire.SubjectKeySize {
			return visitRecord{}, fmt.Errorf("decode visit %s: bad subject", r.ID)
		}
		copy(r.Subject[:], b)
	}
	return r, nil
}

// Presence reports whether subject was admitted on day and has not exited
// since, and if so when it first entered and by which visit.
func (s *Store) Presence(subject wire.SubjectKey, day string) (firstEntry time.Time, visit VisitID, inside bool, err error) {
	err = s.logView(func(tx *bolt.Tx) error {
		p, found, err := getPresence(tx.Bucket([]byte(bucketPresence)), subject)
		if found && p.insideOn(day) {
			firstEntry, visit, inside = p.At, p.Visit, true
		}
		return err
	})
	if err != nil {
		return time.Time{}, VisitID{}, false, fmt.Errorf("read presence of %s: %w", subject.Masked(), err)
	}
	return firstEntry, visit, inside, nil
}

// Counters returns a day's counters (zero when nothing happened).
func (s *Store) Counters(day string) (Counters, error) {
	var c Counters
	err := s.logView(func(tx *bolt.Tx) error {
		var err error
		c, err = counters(tx, day)
		return err
	})
	return c, err
}

// Visit returns one recorded visit.
func (s *Store) Visit(id VisitID) (Visit, bool, error) {
	var v Visit
	var ok bool
	err := s.logView(func(tx *bolt.Tx) error {
		raw := tx.Bucket([]byte(bucketVisits)).Get(id[:])
		if raw == nil {
			return nil
		}
		var err error
		v, err = decodeVisit(raw)
		ok = err == nil
		return err
	})
	return v, ok, err
}

// LastDecision returns the newest visit record — which may be an undo —
// and whether it has been undone, so the checker can offer "undo the last
// decision" only for a decision that still stands.
func (s *Store) LastDecision() (v Visit, undone, ok bool, err error) {
	err = s.logView(func(tx *bolt.Tx) error {
		k, raw := tx.Bucket([]byte(bucketVisits)).Cursor().Last()
		if k == nil {
			return nil
		}
		var err error
		if v, err = decodeVisit(raw); err != nil {
			return err
		}
		ok, undone = true, tx.Bucket([]byte(bucketUndone)).Get(k) != nil
		return nil
	})
	if err != nil {
		return Visit{}, false, false, fmt.Errorf("read last decision: %w", err)
	}
	return v, undone, ok, nil
}

// Undone reports whether a visit has been undone, and by which undo.
func (s *Store) Undone(id VisitID) (by VisitID, undone bool, err error) {
	err = s.logView(func(tx *bolt.Tx) error {
		if raw := tx.Bucket([]byte(bucketUndone)).Get(id[:]); len(raw) == len(by) {
			copy(by[:], raw)
			undone = true
		}
		return nil
	})
	return by, undone, err
}

// Recent returns up to n visits, newest first.
func (s *Store) Recent(n int) ([]Visit, error) {
	var out []Visit
	err := s.logView(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bucketVisits)).Cursor()
		for k, raw := c.Last(); k != nil && len(out) < n; k, raw = c.Prev() {
			v, err := decodeVisit(raw)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Pending returns up to limit visits not yet acknowledged by the hub,
// oldest first.
func (s *Store) Pending(limit int) ([]Visit, error) {
	var out []Visit
	err := s.logView(func(tx *bolt.Tx) error {
		visits := tx.Bucket([]byte(bucketVisits))
		c := tx.Bucket([]byte(bucketOutbox)).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			v, err := decodeVisit(visits.Get(k))
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// PendingCount returns how many visits wait for the hub.
func (s *Store) PendingCount() (int, error) {
	var n int
	err := s.logView(func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte(bucketOutbox)).Stats().KeyN
		return nil
	})
	return n, err
}

// Ack marks visits as acknowledged by the hub: they leave the outbox and
// become eligible for pruning. The time of the acknowledgement is kept in
// the same transaction (meta/last_ack), so `doctor` can say when uploads
// last worked after the kiosk stopped.
func (s *Store) Ack(ids ...VisitID) error {
	if len(ids) == 0 {
		return nil
	}
	now := time.Now
	if s.opt.Now != nil {
		now = s.opt.Now
	}
	at := now().UTC().Format(time.RFC3339Nano)
	return s.logUpdate(func(tx *bolt.Tx) error {
		out := tx.Bucket([]byte(bucketOutbox))
		for _, id := range ids {
			if err := out.Delete(id[:]); err != nil {
				return fmt.Errorf("ack visit %s: %w", id, err)
			}
		}
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyLastAck), []byte(at))
	})
}

// LastAck is when the hub last acknowledged visits of this store (an
// upload that succeeded); zero when it never has.
func (s *Store) LastAck() (time.Time, error) {
	var at time.Time
	err := s.logView(func(tx *bolt.Tx) error {
		raw := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyLastAck))
		if raw == nil {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, string(raw))
		if err != nil {
			return fmt.Errorf("%w: meta/%s: %v", ErrCorrupt, keyLastAck, err)
		}
		at = t
		return nil
	})
	return at, err
}

// pruneBatch bounds one prune transaction.
const pruneBatch = 5000

// Prune deletes acknowledged visits recorded before before, and the
// counters and presence of days before it. Unacknowledged visits are never
// pruned. It returns how many visits it deleted.
func (s *Store) Prune(ctx context.Context, before time.Time) (int, error) {
	total := 0
	day := before.Format(time.DateOnly)
	var resume []byte // first key the next batch looks at; nil: the start
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, more := 0, false
		err := s.logUpdate(func(tx *bolt.Tx) error {
			visits, outbox, undone := tx.Bucket([]byte(bucketVisits)), tx.Bucket([]byte(bucketOutbox)), tx.Bucket([]byte(bucketUndone))
			c := visits.Cursor()
			var doomed [][]byte
			k, raw := c.First()
			if resume != nil {
				k, raw = c.Seek(resume)
			}
			for ; k != nil; k, raw = c.Next() {
				var head struct {
					At time.Time `json:"at"`
				}
				if err := json.Unmarshal(raw, &head); err != nil {
					return fmt.Errorf("decode visit: %w", err)
				}
				if !head.At.Before(before) {
					break
				}
				if outbox.Get(k) != nil {
					continue
				}
				doomed = append(doomed, append([]byte(nil), k...))
				if len(doomed) == pruneBatch {
					// Unacknowledged visits before the last doomed one
					// are not looked at again.
					resume, more = doomed[len(doomed)-1], true
					break
				}
			}
			for _, k := range doomed {
				if err := visits.Delete(k); err != nil {
					return err
				}
				if err := undone.Delete(k); err != nil {
					return err
				}
			}
			n = len(doomed)
			return pruneDays(tx, day)
		})
		if err != nil {
			return total, fmt.Errorf("prune visits: %w", err)
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// pruneDays drops counters and presence of days before day.
func pruneDays(tx *bolt.Tx, day string) error {
	c := tx.Bucket([]byte(bucketCounters)).Cursor()
	var old [][]byte
	for k, _ := c.First(); k != nil && string(k) < day; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := tx.Bucket([]byte(bucketCounters)).Delete(k); err != nil {
			return err
		}
	}
	pres := tx.Bucket([]byte(bucketPresence))
	var gone [][]byte
	err := pres.ForEach(func(k, raw []byte) error {
		var p presence
		if json.Unmarshal(raw, &p) == nil && p.Day < day {
			gone = append(gone, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range gone {
		if err := pres.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
