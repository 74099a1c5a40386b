package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
	"github.com/jackc/pgx/v5"
)

// visitsPage is how many records Visits hands to its callback at a time.
const visitsPage = 1000

var stagingColumns = []string{"ord", "id", "at", "at_ns", "day", "kiosk", "venue", "door", "direction", "kind",
	"subject", "status", "decision", "reasons", "snapshot_version", "undoes"}

// splitTime is at as the database keeps it: microseconds in a timestamptz
// and the nanoseconds past them in at_ns, so a record reads back exactly.
func splitTime(t time.Time) (time.Time, int16) {
	us := t.Truncate(time.Microsecond)
	return us, int16(t.Sub(us))
}

func admitted(r visit.Record) bool {
	return !r.Subject.IsZero() && (r.Decision == visit.Admit || r.Decision == visit.Override)
}

// IngestVisits implements hub.Storage: in one transaction, COPY into the
// connection's staging table, one INSERT … ON CONFLICT DO NOTHING
// RETURNING the ids it stored, and one conflict query over the new
// admitted entries. Durable when it returns (synchronous_commit on).
func (s *Store) IngestVisits(ctx context.Context, kiosk string, visits []visit.Record) ([]hub.IngestResult, error) {
	results := make([]hub.IngestResult, len(visits))
	for i, r := range visits {
		results[i].ID = r.ID
	}
	if len(visits) == 0 {
		return results, ctx.Err()
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"visits_in"}, stagingColumns, pgx.CopyFromSlice(len(visits), func(i int) ([]any, error) {
			r := visits[i]
			day, err := time.Parse(time.DateOnly, r.Day)
			if err != nil {
				return nil, fmt.Errorf("visit %s: day %q", r.ID, r.Day)
			}
			at, ns := splitTime(r.At)
			var subject []byte
			if !r.Subject.IsZero() {
				subject = r.Subject[:]
			}
			var undoes any
			if !r.Undoes.IsZero() {
				undoes = [16]byte(r.Undoes)
			}
			reasons := make([]string, len(r.Reasons))
			for j, c := range r.Reasons {
				reasons[j] = string(c)
			}
			return []any{int32(i), [16]byte(r.ID), at, ns, day, r.Kiosk, r.Venue, r.Door, int16(r.Direction), int16(r.Kind),
				subject, int16(r.Status), int16(r.Decision), reasons, int64(r.SnapshotVersion), undoes}, nil
		}))
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		// Serialise with other batches of the same venues and days, in key
		// order (no deadlock), so the conflict query sees their rows.
		candidates := false
		for _, r := range visits {
			if admitted(r) && r.Direction == visit.Entry {
				candidates = true
				break
			}
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(k) FROM (
			SELECT DISTINCT hashtextextended(venue || ' ' || day::text, 0) AS k FROM visits_in
			WHERE subject IS NOT NULL AND decision IN (1, 5) ORDER BY k) AS keys`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		rows, err := tx.Query(ctx, `INSERT INTO visits (id, at, at_ns, day, kiosk, venue, door, direction, kind, subject, status, decision, reasons, snapshot_version, undoes)
			SELECT id, at, at_ns, day, kiosk, venue, door, direction, kind, subject, status, decision, reasons, snapshot_version, undoes
			FROM visits_in ORDER BY ord
			ON CONFLICT (id, at) DO NOTHING
			RETURNING id`)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		fresh := map[[16]byte]bool{}
		var id [16]byte
		_, err = pgx.ForEachRow(rows, []any{&id}, func() error { fresh[id] = true; return nil })
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		// The first copy of an id in the batch is the new one.
		var newOrds []int32
		for i, r := range visits {
			if fresh[r.ID] {
				results[i].New = true
				delete(fresh, r.ID)
				if admitted(r) && r.Direction == visit.Entry {
					newOrds = append(newOrds, int32(i))
				}
			}
		}
		if !candidates || len(newOrds) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, conflictSQL, newOrds)
		if err != nil {
			return fmt.Errorf("conflicts: %w", err)
		}
		var ord int32
		_, err = pgx.ForEachRow(rows, []any{&ord}, func() error {
			results[ord].Conflict = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("conflicts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %d visits from %s: %w", len(visits), kiosk, err)
	}
	return results, nil
}

// conflictSQL flags the new admitted entries ($1: their batch positions)
// whose subject's previous admitted movement at the venue that day (by
// recorded time) was an entry through another door. The lookup reads one
// row of the visits_presence index per new entry; the at bound lets the
// planner prune partitions at run time (a venue-local day lies within two
// UTC days of any of its visits).
const conflictSQL = `
UPDATE visits v SET conflict = true
FROM (
	SELECT n.ord, n.id, n.at FROM visits_in n
	CROSS JOIN LATERAL (
		SELECT p.door, p.direction FROM visits p
		WHERE p.venue = n.venue AND p.subject = n.subject AND p.day = n.day
		  AND p.subject IS NOT NULL AND p.decision IN (1, 5)
		  AND p.at > n.at - interval '2 days' AND p.at <= n.at
		  AND (p.at, p.at_ns, p.id) < (n.at, n.at_ns, n.id)
		ORDER BY p.at DESC, p.at_ns DESC, p.id DESC
		LIMIT 1
	) prev
	WHERE n.ord = ANY($1::int[]) AND prev.direction = 1 AND prev.door <> n.door
) c
WHERE v.id = c.id AND v.at = c.at
RETURNING c.ord`

const visitColumns = `id, at, at_ns, to_char(day, 'YYYY-MM-DD'), kiosk, venue, door, direction, kind, subject, status, decision, reasons, snapshot_version, undoes`

func scanVisit(row pgx.Row) (visit.Record, error) {
	var r visit.Record
	var id [16]byte
	var undoes *[16]byte
	var ns, dir, kind, status, decision int16
	var subject []byte
	var reasons []string
	var version int64
	err := row.Scan(&id, &r.At, &ns, &r.Day, &r.Kiosk, &r.Venue, &r.Door, &dir, &kind, &subject, &status, &decision, &reasons, &version, &undoes)
	if err != nil {
		return r, err
	}
	r.ID = visit.ID(id)
	r.At = r.At.UTC().Add(time.Duration(ns))
	r.Direction, r.Kind, r.Status, r.Decision = visit.Direction(dir), visit.PayloadKind(kind), wire.Status(status), visit.Decision(decision)
	copy(r.Subject[:], subject)
	r.Reasons = make([]reason.Code, len(reasons))
	for i, c := range reasons {
		r.Reasons[i] = reason.Code(c)
	}
	r.SnapshotVersion = uint64(version)
	if undoes != nil {
		r.Undoes = visit.ID(*undoes)
	}
	return r, nil
}

// Visits implements hub.Storage, a page per query (keyset on at, at_ns,
// id), so a long read holds no transaction or cursor open.
func (s *Store) Visits(ctx context.Context, from, to time.Time, fn func([]visit.Record) error) error {
	at, ns := splitTime(from)
	var id [16]byte // the zero id sorts first: the page starts at from
	first := true
	toAt, toNS := splitTime(to)
	for {
		cmp := ">"
		if first {
			cmp = ">="
		}
		rows, err := s.pool.Query(ctx, `SELECT `+visitColumns+` FROM visits
			WHERE (at, at_ns, id) `+cmp+` ($1, $2, $3) AND (at, at_ns) < ($4, $5)
			ORDER BY at, at_ns, id LIMIT $6`, at, ns, id, toAt, toNS, visitsPage)
		if err != nil {
			return err
		}
		page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (visit.Record, error) { return scanVisit(row) })
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < visitsPage {
			return nil
		}
		last := page[len(page)-1]
		at, ns = splitTime(last.At)
		id, first = last.ID, false
	}
}

// Conflicts implements hub.Storage.
func (s *Store) Conflicts(ctx context.Context, from, to time.Time) ([]hub.Conflict, error) {
	fromAt, fromNS := splitTime(from)
	toAt, toNS := splitTime(to)
	rows, err := s.pool.Query(ctx, `SELECT id, at, at_ns, venue, to_char(day, 'YYYY-MM-DD'), door FROM visits
		WHERE conflict AND (at, at_ns) >= ($1, $2) AND (at, at_ns) < ($3, $4) ORDER BY at, at_ns, id`, fromAt, fromNS, toAt, toNS)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Conflict, error) {
		var c hub.Conflict
		var id [16]byte
		var ns int16
		err := row.Scan(&id, &c.At, &ns, &c.Venue, &c.Day, &c.Door)
		c.Visit, c.At = visit.ID(id), c.At.UTC().Add(time.Duration(ns))
		return c, err
	})
}
