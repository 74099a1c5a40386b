package pgstore

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/visit"
)

// conflictModel is Storage.IngestVisits's conflict rule, written the plain
// way: over every stored row, after the whole batch is in.
type conflictModel struct{ rows []visit.Record }

type rowKey struct {
	id visit.ID
	at time.Time
}

func keyLess(a, b visit.Record) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return bytes.Compare(a.ID[:], b.ID[:]) < 0
}

func (m *conflictModel) ingest(batch []visit.Record) (fresh, conflict []bool) {
	stored := map[rowKey]bool{}
	for _, r := range m.rows {
		stored[rowKey{r.ID, r.At}] = true
	}
	fresh = make([]bool, len(batch))
	for i, r := range batch {
		k := rowKey{r.ID, r.At}
		if !stored[k] {
			stored[k], fresh[i] = true, true
			m.rows = append(m.rows, r)
		}
	}
	conflict = make([]bool, len(batch))
	for i, n := range batch {
		if !fresh[i] || !admitted(n) || n.Direction != visit.Entry {
			continue
		}
		var prev *visit.Record
		for j, p := range m.rows {
			if !admitted(p) || p.Venue != n.Venue || p.Subject != n.Subject || p.Day != n.Day ||
				!keyLess(p, n) || !p.At.After(n.At.Add(-48*time.Hour)) {
				continue
			}
			if prev == nil || keyLess(*prev, p) {
				prev = &m.rows[j]
			}
		}
		conflict[i] = prev != nil && prev.Direction == visit.Entry && prev.Door != n.Door
	}
	return fresh, conflict
}

// TestConflictsAgainstModel: random batches of admitted, denied and
// overridden entries and exits at two venues, three doors, a few subjects
// and two days, with ids sent again, times out of order, equal times and
// sub-microsecond parts, some in day partitions and some in the default
// one; every batch's new and conflict flags are the model's.
func TestConflictsAgainstModel(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	defer s.Close()
	if _, err := s.EnsurePartitions(ctx, t0, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var m conflictModel
	n, flagged := 0, 0
	for round := range 60 {
		batch := make([]visit.Record, 1+rng.IntN(40))
		for i := range batch {
			if len(m.rows) > 0 && rng.IntN(8) == 0 {
				batch[i] = m.rows[rng.IntN(len(m.rows))] // sent again
				continue
			}
			if i > 0 && rng.IntN(20) == 0 {
				batch[i] = batch[rng.IntN(i)] // twice in one batch
				continue
			}
			n++
			// Over three UTC days (the last in the default partition),
			// on the hour's grid or off it by nanoseconds.
			at := t0.Add(time.Duration(rng.IntN(3*24*6)) * 10 * time.Minute)
			if rng.IntN(3) == 0 {
				at = at.Add(time.Duration(rng.IntN(2000)))
			}
			r := rec(n, at)
			r.Day = t0.AddDate(0, 0, rng.IntN(2)).Format(time.DateOnly)
			r.Venue = []string{"v1", "v2"}[rng.IntN(2)]
			r.Door = []string{"north", "south", "east"}[rng.IntN(3)]
			r.Direction = []visit.Direction{visit.Entry, visit.Entry, visit.Exit}[rng.IntN(3)]
			r.Decision = []visit.Decision{visit.Admit, visit.Admit, visit.Admit, visit.Override, visit.Deny}[rng.IntN(5)]
			r.Subject = visit.Subject{byte(rng.IntN(6))}
			if rng.IntN(10) == 0 {
				r.Subject = visit.Subject{}
			}
			batch[i] = r
		}
		wantNew, want := m.ingest(batch)
		got, err := s.IngestVisits(ctx, "k", batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range batch {
			if got[i].ID != r.ID || got[i].New != wantNew[i] || got[i].Conflict != want[i] {
				t.Fatalf("round %d, visit %d (%s %s %s %v %v at %s day %s): got %+v, want new %v conflict %v",
					round, i, r.Venue, r.Door, r.Direction, r.Decision, r.Subject[0], r.At.Format(time.RFC3339Nano), r.Day, got[i], wantNew[i], want[i])
			}
			if want[i] {
				flagged++
			}
		}
	}
	if flagged < 20 {
		t.Fatalf("only %d conflicts in the run: the test does not exercise the rule", flagged)
	}
	var stored int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM visits WHERE conflict").Scan(&stored); err != nil || stored != flagged {
		t.Fatalf("%d rows flagged in the table, %d answered (%v)", stored, flagged, err)
	}
}
