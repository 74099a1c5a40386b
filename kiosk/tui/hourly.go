package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// recentReader is the visit log's read side, which kiosk.Checker has:
// the day counters hold no hours, so the stats page counts them from the
// day's visits. A Checker without it leaves the chart empty.
type recentReader interface {
	Recent(ctx context.Context, n int) ([]store.Visit, error)
}

// hourlyScan bounds how many visits the stats page reads: a busy door's
// day, read only while the page is shown.
const hourlyScan = 20000

// hourly is today's entries by venue-local hour, and overrides.
type hourly struct {
	entries   [24]int
	overrides int
}

type hourlyMsg hourly

// verdictOverride is how an override visit is recorded (the override
// dialog's record); counted apart on the stats page.
const verdictOverride = store.VerdictOverride

// refreshHourly reads today's visits for the chart, when the checker can.
func (m *Model) refreshHourly() tea.Cmd {
	rr, ok := m.opt.Checker.(recentReader)
	if !ok {
		return nil
	}
	day := m.stats.Day
	return func() tea.Msg {
		vs, err := rr.Recent(m.ctx, hourlyScan)
		if err != nil {
			return nil // the counters above say so; the chart stays as it was
		}
		return hourlyMsg(countHours(vs, day, m.opt.Location))
	}
}

// countHours buckets day's admitted entries by hour.
func countHours(vs []store.Visit, day string, loc *time.Location) hourly {
	var h hourly
	for _, v := range vs {
		if day != "" && v.Day != day {
			continue
		}
		switch {
		case v.Verdict == verdictOverride:
			h.overrides++
		case v.Verdict == store.VerdictAdmit && v.Direction == visit.Entry:
			h.entries[v.At.In(loc).Hour()]++
		}
	}
	return h
}
