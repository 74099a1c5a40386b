package pgstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/sync/hub"
)

func TestReportConstants(t *testing.T) {
	if daysConst != fmt.Sprint(hub.DisciplineDays) || warnConst != fmt.Sprint(hub.IdleWarnDays) || rankConst != fmt.Sprint(hub.RankSize) {
		t.Fatalf("report SQL literals %s/%s/%s, hub has %d/%d/%d", daysConst, warnConst, rankConst, hub.DisciplineDays, hub.IdleWarnDays, hub.RankSize)
	}
}

// TestReportIndexes: migration 0003's indexes are on the visits table and
// on every day partition, also one made after the migration, and each
// report query plans against the schema.
func TestReportIndexes(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	if _, err := s.EnsurePartitions(ctx, t0, t0.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	want := []string{"visits_venue_scans", "visits_undos", "visits_denied", "visits_attempts"}
	for _, table := range []string{"visits", "visits_default", partitionName(t0), partitionName(t0.AddDate(0, 0, 1))} {
		rows, err := s.pool.Query(ctx, `SELECT i.indexdef FROM pg_indexes i WHERE i.tablename = $1`, table)
		if err != nil {
			t.Fatal(err)
		}
		var defs []string
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				t.Fatal(err)
			}
			defs = append(defs, d)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		all := strings.Join(defs, "\n")
		for _, w := range want {
			// A partition's copy is named after the partition; match the
			// definition's columns instead.
			cols := map[string]string{
				"visits_venue_scans": "(venue, day) INCLUDE (decision, at, id)",
				"visits_undos":       "(day) INCLUDE (undoes, at) WHERE (decision = 4)",
				"visits_denied":      "(day, venue) INCLUDE (status, reasons, at, id) WHERE (decision = 2)",
				"visits_attempts":    "(day, venue) INCLUDE (status, subject, at, id) WHERE ((status = ANY (ARRAY[1, 2])) AND (subject IS NOT NULL) AND (decision <> 4))",
			}[w]
			if !strings.Contains(all, cols) {
				t.Errorf("%s has no %s index %s:\n%s", table, w, cols, all)
			}
		}
	}
	w, err := hub.NewReportWindow("2026-12-02")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range ReportQueries() {
		if _, err := s.pool.Exec(ctx, "EXPLAIN "+q.SQL, q.Args(w)...); err != nil {
			t.Errorf("EXPLAIN %s: %v", q.Name, err)
		}
	}
}
