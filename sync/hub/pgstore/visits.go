package pgstore

import (
	"bytes"
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

// IngestVisits implements hub.Storage in one transaction and three round
// trips before the commit: COPY into the connection's staging table; then,
// pipelined, the advisory locks of the batch's venues and days, the
// previous stored admitted movement of each of the batch's admitted
// entries, and one INSERT … ON CONFLICT DO NOTHING RETURNING the ids it
// stored. The conflicts are decided here, over those movements and the
// batch's own new ones, and flagged by one UPDATE only when there are
// any. Durable when it returns (synchronous_commit on).
func (s *Store) IngestVisits(ctx context.Context, kiosk string, visits []visit.Record) ([]hub.IngestResult, error) {
	results := make([]hub.IngestResult, len(visits))
	for i, r := range visits {
		results[i].ID = r.ID
	}
	if len(visits) == 0 {
		return results, ctx.Err()
	}
	rows, err := stagingRows(visits)
	if err != nil {
		return nil, fmt.Errorf("ingest %d visits from %s: %w", len(visits), kiosk, err)
	}
	from, to, entries := entryWindow(visits)
	stored := map[int32]movement{} // batch position → its previous stored movement
	fresh := make(map[[16]byte]bool, len(visits))
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		clear(stored)
		clear(fresh)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"visits_in"}, stagingColumns, rows); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		// Serialise with other batches of the same venues and days, in key
		// order (no deadlock), so the presence read sees their rows.
		b := &pgx.Batch{}
		b.Queue(lockSQL)
		if entries {
			b.Queue(previousSQL, from, to).Query(func(rows pgx.Rows) error {
				var ord int32
				var m movement
				_, err := pgx.ForEachRow(rows, []any{&ord, &m.at, &m.ns, &m.id, &m.door, &m.direction}, func() error {
					stored[ord] = m
					return nil
				})
				return err
			})
		}
		b.Queue(insertSQL).Query(func(rows pgx.Rows) error {
			var id [16]byte
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error { fresh[id] = true; return nil })
			return err
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		// The first copy of an id in the batch is the new one.
		for i, r := range visits {
			results[i].New = fresh[r.ID]
			delete(fresh, r.ID)
		}
		var ids [][16]byte
		var ats []time.Time
		if entries {
			for _, i := range conflicts(visits, results, stored) {
				results[i].Conflict = true
				at, _ := splitTime(visits[i].At)
				ids, ats = append(ids, visits[i].ID), append(ats, at)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, flagSQL, ids, ats); err != nil {
			return fmt.Errorf("conflicts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %d visits from %s: %w", len(visits), kiosk, err)
	}
	return results, nil
}

// stagingRows is the batch as COPY rows, converted before the transaction
// opens.
func stagingRows(visits []visit.Record) (pgx.CopyFromSource, error) {
	rows := make([][]any, len(visits))
	for i, r := range visits {
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
		rows[i] = []any{int32(i), [16]byte(r.ID), at, ns, day, r.Kiosk, r.Venue, r.Door, int16(r.Direction), int16(r.Kind),
			subject, int16(r.Status), int16(r.Decision), reasons, int64(r.SnapshotVersion), undoes}
	}
	return pgx.CopyFromRows(rows), nil
}

const lockSQL = `SELECT pg_advisory_xact_lock(k) FROM (
	SELECT DISTINCT hashtextextended(venue || ' ' || day::text, 0) AS k FROM visits_in
	WHERE subject IS NOT NULL AND decision IN (1, 5) ORDER BY k) AS keys`

const insertSQL = `INSERT INTO visits (id, at, at_ns, day, kiosk, venue, door, direction, kind, subject, status, decision, reasons, snapshot_version, undoes)
	SELECT id, at, at_ns, day, kiosk, venue, door, direction, kind, subject, status, decision, reasons, snapshot_version, undoes
	FROM visits_in ORDER BY ord
	ON CONFLICT (id, at) DO NOTHING
	RETURNING id`

// previousSQL finds, for each admitted entry of the staged batch, the
// subject's latest stored admitted movement at the venue that day before
// it in recorded time: one backward read of the visits_presence index
// (answered from the index alone) per entry. It runs before the batch's
// INSERT; the batch's own rows are known to the caller. The at range
// ($1, $2] holds every entry's window (conflictWindow) and is a
// constant, so the planner prunes the partitions once; a per-entry bound
// would make it prune at every entry, which costs more than the index
// read. The caller drops a movement older than the entry's window.
const previousSQL = `SELECT n.ord, prev.at, prev.at_ns, prev.id, prev.door, prev.direction FROM visits_in n
	CROSS JOIN LATERAL (
		SELECT p.at, p.at_ns, p.id, p.door, p.direction FROM visits p
		WHERE p.venue = n.venue AND p.subject = n.subject AND p.day = n.day
		  AND p.subject IS NOT NULL AND p.decision IN (1, 5)
		  AND p.at > $1 AND p.at <= $2
		  AND (p.at, p.at_ns, p.id) < (n.at, n.at_ns, n.id)
		ORDER BY p.at DESC, p.at_ns DESC, p.id DESC
		LIMIT 1
	) prev
	WHERE n.subject IS NOT NULL AND n.decision IN (1, 5) AND n.direction = 1`

// flagSQL marks the conflicting visits ($1 ids, $2 their at).
const flagSQL = `UPDATE visits v SET conflict = true FROM unnest($1::uuid[], $2::timestamptz[]) AS c(id, at)
	WHERE v.id = c.id AND v.at = c.at`

// conflictWindow bounds how far back (in recorded time) a new entry's
// previous movement can lie: a venue-local day lies within two UTC days
// of any of its visits.
const conflictWindow = 48 * time.Hour

// movement is one admitted visit as the conflict rule sees it: at to the
// microsecond and ns the nanoseconds past it, as stored; they order with
// id.
type movement struct {
	at        time.Time
	ns        int16
	id        [16]byte
	door      string
	direction int16
}

func (m movement) before(o movement) bool {
	if !m.at.Equal(o.at) {
		return m.at.Before(o.at)
	}
	if m.ns != o.ns {
		return m.ns < o.ns
	}
	return bytes.Compare(m.id[:], o.id[:]) < 0
}

func movementOf(r visit.Record) movement {
	at, ns := splitTime(r.At)
	return movement{at: at, ns: ns, id: r.ID, door: r.Door, direction: int16(r.Direction)}
}

func isEntry(r visit.Record) bool { return admitted(r) && r.Direction == visit.Entry }

// entryWindow is the at range (from, to] that holds the window of every
// admitted entry of the batch, and whether there is one.
func entryWindow(visits []visit.Record) (from, to time.Time, any bool) {
	for _, r := range visits {
		if !isEntry(r) {
			continue
		}
		at, _ := splitTime(r.At)
		if !any || at.Before(from) {
			from = at
		}
		if !any || at.After(to) {
			to = at
		}
		any = true
	}
	return from.Add(-conflictWindow), to, any
}

// conflicts returns the positions of the batch's new admitted entries
// whose subject's previous admitted movement at the venue that day (by
// recorded time, within conflictWindow; the latest of its previous stored
// one and the batch's new ones) was an entry through another door.
func conflicts(visits []visit.Record, results []hub.IngestResult, stored map[int32]movement) []int {
	type key struct {
		venue, day string
		subject    visit.Subject
	}
	var batch map[key][]movement
	for i, r := range visits {
		if results[i].New && admitted(r) {
			if batch == nil {
				batch = map[key][]movement{}
			}
			k := key{r.Venue, r.Day, r.Subject}
			batch[k] = append(batch[k], movementOf(r))
		}
	}
	var out []int
	for i, r := range visits {
		if !results[i].New || !isEntry(r) {
			continue
		}
		n := movementOf(r)
		var prev *movement
		if m, ok := stored[int32(i)]; ok {
			prev = &m
		}
		ms := batch[key{r.Venue, r.Day, r.Subject}]
		for j, m := range ms {
			if m.before(n) && (prev == nil || prev.before(m)) {
				prev = &ms[j]
			}
		}
		if prev != nil && prev.at.After(n.at.Add(-conflictWindow)) && prev.direction == int16(visit.Entry) && prev.door != r.Door {
			out = append(out, i)
		}
	}
	return out
}

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
