package pgstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
	"github.com/jackc/pgx/v5"
)

// The compliance report in SQL over the day partitions (hub.Reporter).
// The queries run as unnamed statements (QueryExecModeExec), so each is
// planned with its parameters: a cached generic plan cannot prune the
// partitions at plan time and was measured several times slower.
//
// Every query takes the window as $1 first day, $2 report day (dates), $3
// and $4 the UTC bound of the recorded time: the bound on at is what lets
// the planner read only the window's partitions, the day what the report
// counts by. The queries give exactly hub.ScanReport's figures; the
// storagetest suite checks it on generated data. docs/reports.md records
// each query's plan on 30 days × 7,000 venues and what it costs.

// ReportQuery is one of the report's statements, by name, for EXPLAIN.
type ReportQuery struct {
	Name string
	SQL  string
	Args func(hub.ReportWindow) []any
}

// ReportQueries returns the report's statements with their parameters.
func ReportQueries() []ReportQuery {
	return []ReportQuery{
		{"venue-days", venueDaysSQL, windowArgs},
		{"denied", deniedSQL, windowArgs},
		{"attempts", attemptsSQL, windowArgs},
		{"idle", idleSQL, windowArgs},
		{"discipline", disciplineSQL, windowArgs},
		{"conflicts", conflictsSQL, conflictArgs},
	}
}

// windowArgs are a window's query parameters.
func windowArgs(w hub.ReportWindow) []any { return []any{w.First, w.Day, w.From, w.To} }

func conflictArgs(w hub.ReportWindow) []any { return []any{w.Day, w.From, w.To} }

// undoneCTE is the ids undone by the window's undos (undos are few: the
// visits_undos partial index holds them alone). An undone visit counts in
// nothing, its undo counts as an undo.
const undoneCTE = `undone AS MATERIALIZED (
	SELECT DISTINCT undoes AS id FROM visits
	WHERE decision = 4 AND undoes IS NOT NULL AND day BETWEEN $1 AND $2 AND at >= $3 AND at < $4)`

// venueDaysSQL counts each venue's visits of the report day in one pass
// over the day's rows (the day index finds them in the partitions the UTC
// bound leaves; most lie in one).
const venueDaysSQL = `WITH ` + undoneCTE + `
SELECT venue,
	count(*) FILTER (WHERE NOT undone AND decision IN (1, 5) AND direction <> 2) AS entries,
	count(*) FILTER (WHERE NOT undone AND decision IN (1, 5) AND direction = 2) AS exits,
	count(*) FILTER (WHERE NOT undone AND decision = 2) AS denied,
	count(*) FILTER (WHERE NOT undone AND decision = 3) AS not_verified,
	count(*) FILTER (WHERE NOT undone AND decision = 5) AS overrides,
	count(*) FILTER (WHERE NOT undone AND decision = 4) AS undos,
	count(*) FILTER (WHERE conflict) AS conflicts
FROM (SELECT venue, decision, direction, conflict, id IN (SELECT id FROM undone) AS undone
	FROM visits WHERE day = $2 AND at >= $3 AND at < $4
	OFFSET 0) v -- a fence: one undone probe per row, not one per aggregate
GROUP BY venue`

// deniedSQL breaks the day's denials down by status and first reason
// (visits_denied).
const deniedSQL = `WITH ` + undoneCTE + `
SELECT venue, status, coalesce(reasons[1], 'unspecified'), count(*)
FROM visits
WHERE decision = 2 AND day = $2 AND at >= $3 AND at < $4 AND id NOT IN (SELECT id FROM undone)
GROUP BY 1, 2, 3`

// attemptsSQL counts the day's scans of red and yellow subjects, and the
// distinct subjects (visits_attempts).
const attemptsSQL = `WITH ` + undoneCTE + `
SELECT venue,
	count(*) FILTER (WHERE status = 1), count(DISTINCT subject) FILTER (WHERE status = 1),
	count(*) FILTER (WHERE status = 2), count(DISTINCT subject) FILTER (WHERE status = 2)
FROM visits
WHERE status IN (1, 2) AND subject IS NOT NULL AND decision <> 4
	AND day = $2 AND at >= $3 AND at < $4 AND id NOT IN (SELECT id FROM undone)
GROUP BY venue`

// fleetCTE is the venues that should be scanning: every kiosk's venue,
// active while one of its kiosks is unrevoked.
const fleetCTE = `fleet AS (SELECT venue, bool_or(revoked_at IS NULL) AS active FROM kiosks GROUP BY venue)`

// idleSQL finds each fleet venue's last day with a scan by one backward
// probe of visits_venue_scans per venue and partition (the index alone
// answers: no heap read), never by reading the window's visits.
const idleSQL = `WITH ` + undoneCTE + `, ` + fleetCTE + `
SELECT venue, idle FROM (
	SELECT f.venue, coalesce($2::date - last.day, ` + daysConst + `) AS idle
	FROM fleet f
	LEFT JOIN LATERAL (
		SELECT day FROM visits v
		WHERE v.venue = f.venue AND v.decision <> 4 AND v.day BETWEEN $1 AND $2 AND v.at >= $3 AND v.at < $4
			AND v.id NOT IN (SELECT id FROM undone)
		ORDER BY v.day DESC LIMIT 1
	) last ON true
	WHERE f.active OR last.day IS NOT NULL OR EXISTS (
		SELECT 1 FROM visits a WHERE a.venue = f.venue AND a.day BETWEEN $1 AND $2 AND a.at >= $3 AND a.at < $4)
) i
WHERE idle >= ` + warnConst + `
ORDER BY idle DESC, venue COLLATE "C"`

// disciplineSQL scores every fleet venue over the window (the scans of
// the whole window, from visits_venue_scans) and takes the RankSize best
// and worst; the score is hub.DisciplineScore's arithmetic in float8, in
// the same order, so the ranking is the same.
const disciplineSQL = `WITH ` + undoneCTE + `, ` + fleetCTE + `,
per_day AS (
	SELECT venue, day, count(*) AS scans, count(*) FILTER (WHERE decision = 3) AS nv
	FROM visits
	WHERE decision <> 4 AND day BETWEEN $1 AND $2 AND at >= $3 AND at < $4 AND id NOT IN (SELECT id FROM undone)
	GROUP BY venue, day),
per_venue AS (SELECT venue, count(*) AS days, sum(scans)::bigint AS scans, sum(nv)::bigint AS nv FROM per_day GROUP BY venue),
scored AS (
	SELECT f.venue, coalesce(p.days, 0) AS days, coalesce(p.scans, 0) AS scans, coalesce(p.nv, 0) AS nv,
		coalesce(p.days, 0)::float8 / ` + daysConst + ` * (1 - CASE WHEN p.scans > 0 THEN p.nv::float8 / p.scans::float8 ELSE 0 END) AS score
	FROM fleet f LEFT JOIN per_venue p USING (venue)
	WHERE f.active OR p.venue IS NOT NULL OR EXISTS (
		SELECT 1 FROM visits a WHERE a.venue = f.venue AND a.day BETWEEN $1 AND $2 AND a.at >= $3 AND a.at < $4))
(SELECT true, venue, days, scans, nv FROM scored ORDER BY score DESC, venue COLLATE "C" LIMIT ` + rankConst + `)
UNION ALL
(SELECT false, venue, days, scans, nv FROM scored ORDER BY score ASC, venue COLLATE "C" DESC LIMIT ` + rankConst + `)`

// conflictsSQL lists the day's conflicts (the visits_conflicts partial
// index holds only flagged visits).
const conflictsSQL = `SELECT id, at, at_ns, venue, to_char(day, 'YYYY-MM-DD'), door FROM visits
WHERE conflict AND day = $1 AND at >= $2 AND at < $3
ORDER BY at, at_ns, id`

// The report's sizes as SQL literals (TestReportConstants holds them to
// the hub's).
const (
	daysConst = "7"  // hub.DisciplineDays
	warnConst = "2"  // hub.IdleWarnDays
	rankConst = "10" // hub.RankSize
)

// reportQuery runs one report statement as an unnamed statement, planned
// with its parameters.
func (s *Store) reportQuery(ctx context.Context, sql string, args []any) (pgx.Rows, error) {
	return s.pool.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
}

// ReportVenueDays implements hub.Reporter.
func (s *Store) ReportVenueDays(ctx context.Context, w hub.ReportWindow) ([]hub.VenueDay, error) {
	args := windowArgs(w)
	day := w.Day.Format(time.DateOnly)
	byVenue := map[string]*hub.VenueDay{}
	rows, err := s.reportQuery(ctx, venueDaysSQL, args)
	if err != nil {
		return nil, fmt.Errorf("venue days: %w", err)
	}
	var venue string
	var entries, exits, denied, nv, overrides, undos, conflicts int64
	_, err = pgx.ForEachRow(rows, []any{&venue, &entries, &exits, &denied, &nv, &overrides, &undos, &conflicts}, func() error {
		byVenue[venue] = &hub.VenueDay{Venue: venue, Day: day, Entries: int(entries), Exits: int(exits), Denied: int(denied),
			NotVerified: int(nv), Overrides: int(overrides), Undos: int(undos), Conflicts: int(conflicts),
			DeniedByStatus: map[string]int{}, DeniedByReason: map[reason.Code]int{}}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("venue days: %w", err)
	}
	get := func(venue string) (*hub.VenueDay, error) {
		vd := byVenue[venue]
		if vd == nil {
			return nil, fmt.Errorf("venue %q has figures but no visits on %s", venue, day)
		}
		return vd, nil
	}
	rows, err = s.reportQuery(ctx, deniedSQL, args)
	if err != nil {
		return nil, fmt.Errorf("denied: %w", err)
	}
	var status int16
	var code string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&venue, &status, &code, &n}, func() error {
		vd, err := get(venue)
		if err != nil {
			return err
		}
		vd.DeniedByStatus[wire.Status(status).String()] += int(n)
		vd.DeniedByReason[reason.Code(code)] += int(n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("denied: %w", err)
	}
	rows, err = s.reportQuery(ctx, attemptsSQL, args)
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	var red, redSubjects, yellow, yellowSubjects int64
	_, err = pgx.ForEachRow(rows, []any{&venue, &red, &redSubjects, &yellow, &yellowSubjects}, func() error {
		vd, err := get(venue)
		if err != nil {
			return err
		}
		vd.RedAttempts, vd.RedSubjects, vd.YellowAttempts, vd.YellowSubjects = int(red), int(redSubjects), int(yellow), int(yellowSubjects)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	out := make([]hub.VenueDay, 0, len(byVenue))
	for _, vd := range byVenue {
		out = append(out, *vd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Venue < out[j].Venue })
	return out, nil
}

// ReportIdle implements hub.Reporter.
func (s *Store) ReportIdle(ctx context.Context, w hub.ReportWindow) ([]hub.IdleVenue, error) {
	rows, err := s.reportQuery(ctx, idleSQL, windowArgs(w))
	if err != nil {
		return nil, fmt.Errorf("idle venues: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.IdleVenue, error) {
		var v hub.IdleVenue
		var idle int32
		err := row.Scan(&v.Venue, &idle)
		v.DaysIdle = int(idle)
		v.Level = hub.IdleLevel(v.DaysIdle)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("idle venues: %w", err)
	}
	return out, nil
}

// ReportDiscipline implements hub.Reporter.
func (s *Store) ReportDiscipline(ctx context.Context, w hub.ReportWindow) (leaders, outsiders []hub.Discipline, err error) {
	rows, err := s.reportQuery(ctx, disciplineSQL, windowArgs(w))
	if err != nil {
		return nil, nil, fmt.Errorf("discipline: %w", err)
	}
	var leader bool
	var venue string
	var days, scans, nv int64
	_, err = pgx.ForEachRow(rows, []any{&leader, &venue, &days, &scans, &nv}, func() error {
		d := hub.DisciplineScore(venue, int(days), int(scans), int(nv))
		if leader {
			leaders = append(leaders, d)
		} else {
			outsiders = append(outsiders, d)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("discipline: %w", err)
	}
	return leaders, outsiders, nil
}

// ReportConflicts implements hub.Reporter.
func (s *Store) ReportConflicts(ctx context.Context, w hub.ReportWindow) ([]hub.Conflict, error) {
	rows, err := s.reportQuery(ctx, conflictsSQL, conflictArgs(w))
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Conflict, error) {
		var c hub.Conflict
		var id [16]byte
		var ns int16
		err := row.Scan(&id, &c.At, &ns, &c.Venue, &c.Day, &c.Door)
		c.Visit, c.At = visit.ID(id), c.At.UTC().Add(time.Duration(ns))
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return out, nil
}

// Store computes the report in SQL.
var _ hub.Reporter = (*Store)(nil)
