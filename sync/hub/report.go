package hub

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Report is the compliance report of one day (docs/hub.md defines every
// number). It holds counts and pseudonymous visit ids, never an identity.
type Report struct {
	Day  string      `json:"day"`
	Days []VenueDay  `json:"days"`
	Idle []IdleVenue `json:"idle"`
	// Discipline ranks venues over the DisciplineDays ending at Day.
	DisciplineDays int          `json:"discipline_days"`
	Leaders        []Discipline `json:"leaders"`
	Outsiders      []Discipline `json:"outsiders"`
	Conflicts      []Conflict   `json:"conflicts"`
}

// VenueDay is one venue's counts on one day.
type VenueDay struct {
	Venue          string              `json:"venue"`
	Day            string              `json:"day"`
	Entries        int                 `json:"entries"`
	Exits          int                 `json:"exits"`
	Denied         int                 `json:"denied"`
	NotVerified    int                 `json:"not_verified"`
	Overrides      int                 `json:"overrides"`
	Undos          int                 `json:"undos"`
	DeniedByStatus map[string]int      `json:"denied_by_status"`
	DeniedByReason map[reason.Code]int `json:"denied_by_reason"`
	RedAttempts    int                 `json:"red_attempts"`
	YellowAttempts int                 `json:"yellow_attempts"`
	RedSubjects    int                 `json:"red_subjects"`    // distinct, pseudonymous
	YellowSubjects int                 `json:"yellow_subjects"` // distinct, pseudonymous
	Conflicts      int                 `json:"conflicts"`
	redSeen        map[wire.SubjectKey]bool
	yellowSeen     map[wire.SubjectKey]bool
}

// IdleVenue is a venue of the fleet with no visits for DaysIdle days up to
// the report day: 3 or more means suspension, 2 a warning.
type IdleVenue struct {
	Venue    string `json:"venue"`
	DaysIdle int    `json:"days_idle"`
	Level    string `json:"level"` // "suspend" or "warning"
}

// Discipline is one venue's scanning discipline score.
type Discipline struct {
	Venue           string  `json:"venue"`
	Score           float64 `json:"score"`
	DaysWithScans   int     `json:"days_with_scans"`
	Scans           int     `json:"scans"`
	NotVerifiedRate float64 `json:"not_verified_share"`
}

// Conflict is a subject admitted at two doors of a venue without an exit
// between: the later entry's visit.
type Conflict struct {
	Venue string    `json:"venue"`
	Day   string    `json:"day"`
	Door  string    `json:"door"`
	Visit visit.ID  `json:"visit"`
	At    time.Time `json:"at"`
}

// Report sizes and rules.
const (
	// DisciplineDays is the window a report reads: its day and the days
	// before it.
	DisciplineDays = 7
	// RankSize is how many leaders and outsiders a report lists.
	RankSize = 10
	// IdleSuspendDays and IdleWarnDays: a venue without scans for this many
	// days up to the report day is listed for suspension or warned.
	IdleSuspendDays = 3
	IdleWarnDays    = 2
)

// ReportWindow is what one report reads: the venue-local days First
// through Day (DisciplineDays of them), of the visits whose recorded time
// lies in [From, To). Day is venue-local and At is UTC; a day's visits lie
// within a day and a half of its UTC midnight on either side for every
// time zone, so From and To bound the read (and, on PostgreSQL, the
// partitions it touches) without losing a visit.
type ReportWindow struct {
	Day, First time.Time // midnight UTC of the dates
	From, To   time.Time
}

// NewReportWindow returns the window of the report of day (YYYY-MM-DD).
func NewReportWindow(day string) (ReportWindow, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ReportWindow{}, fmt.Errorf("day %q: want YYYY-MM-DD", day)
	}
	first := d.AddDate(0, 0, -(DisciplineDays - 1))
	return ReportWindow{Day: d, First: first, From: first.Add(-36 * time.Hour), To: d.Add(60 * time.Hour)}, nil
}

// Reporter is a Storage that computes the report's parts itself: the
// PostgreSQL backend does, in SQL over the day partitions. BuildReport
// uses it when the storage has it; otherwise (bbolt) it computes the
// report in Go from Storage.Visits (ScanReport). Both give the same
// report; sync/hub/storagetest asserts it on every backend.
type Reporter interface {
	// ReportVenueDays returns one VenueDay per venue with visits on
	// w.Day, ordered by venue (byte order), its maps non-nil.
	ReportVenueDays(ctx context.Context, w ReportWindow) ([]VenueDay, error)
	// ReportIdle returns the fleet's venues without scans for
	// IdleWarnDays or more up to w.Day (at most DisciplineDays counted),
	// most idle first, then by venue.
	ReportIdle(ctx context.Context, w ReportWindow) ([]IdleVenue, error)
	// ReportDiscipline returns the RankSize best and worst venues of the
	// fleet by DisciplineScore over the window (see Report).
	ReportDiscipline(ctx context.Context, w ReportWindow) (leaders, outsiders []Discipline, err error)
	// ReportConflicts returns the conflicts of w.Day, ordered by time.
	ReportConflicts(ctx context.Context, w ReportWindow) ([]Conflict, error)
}

// DisciplineScore is a venue's score from its days with scans, scans and
// not-verified scans over DisciplineDays.
func DisciplineScore(venue string, daysWithScans, scans, notVerified int) Discipline {
	s := Discipline{Venue: venue, DaysWithScans: daysWithScans, Scans: scans}
	if scans > 0 {
		s.NotVerifiedRate = float64(notVerified) / float64(scans)
	}
	s.Score = float64(daysWithScans) / DisciplineDays * (1 - s.NotVerifiedRate)
	return s
}

// IdleLevel is the idle list's level for days without scans ("" below
// IdleWarnDays).
func IdleLevel(daysIdle int) string {
	switch {
	case daysIdle >= IdleSuspendDays:
		return "suspend"
	case daysIdle >= IdleWarnDays:
		return "warning"
	}
	return ""
}

// BuildReport computes the report of a venue-local day (YYYY-MM-DD): by
// the storage's Reporter when it has one, else by ScanReport.
func BuildReport(ctx context.Context, st Storage, day string) (*Report, error) {
	r, ok := st.(Reporter)
	if !ok {
		return ScanReport(ctx, st, day)
	}
	w, err := NewReportWindow(day)
	if err != nil {
		return nil, err
	}
	rep := &Report{Day: day, DisciplineDays: DisciplineDays}
	if rep.Days, err = r.ReportVenueDays(ctx, w); err != nil {
		return nil, fmt.Errorf("report of %s, venue days: %w", day, err)
	}
	if rep.Idle, err = r.ReportIdle(ctx, w); err != nil {
		return nil, fmt.Errorf("report of %s, idle venues: %w", day, err)
	}
	if rep.Leaders, rep.Outsiders, err = r.ReportDiscipline(ctx, w); err != nil {
		return nil, fmt.Errorf("report of %s, discipline: %w", day, err)
	}
	if rep.Conflicts, err = r.ReportConflicts(ctx, w); err != nil {
		return nil, fmt.Errorf("report of %s, conflicts: %w", day, err)
	}
	if rep.Days == nil {
		rep.Days = []VenueDay{}
	}
	if rep.Idle == nil {
		rep.Idle = []IdleVenue{}
	}
	if rep.Leaders == nil {
		rep.Leaders = []Discipline{}
	}
	if rep.Outsiders == nil {
		rep.Outsiders = []Discipline{}
	}
	if rep.Conflicts == nil {
		rep.Conflicts = []Conflict{}
	}
	return rep, nil
}

// ScanReport computes the report of a venue-local day (YYYY-MM-DD) in Go
// from Storage.Visits and Storage.Conflicts, whatever the backend: the
// bbolt backend's report, and the reference the SQL reports are tested
// against.
func ScanReport(ctx context.Context, st Storage, day string) (*Report, error) {
	w, err := NewReportWindow(day)
	if err != nil {
		return nil, err
	}
	d, first, from, to := w.Day, w.First, w.From, w.To
	days := map[string]bool{}
	for t := first; !t.After(d); t = t.AddDate(0, 0, 1) {
		days[t.Format(time.DateOnly)] = true
	}
	type key struct{ venue, day string }
	counts := map[key]*VenueDay{}
	get := func(venue, day string) *VenueDay {
		k := key{venue, day}
		vd := counts[k]
		if vd == nil {
			vd = &VenueDay{Venue: venue, Day: day, DeniedByStatus: map[string]int{}, DeniedByReason: map[reason.Code]int{},
				redSeen: map[wire.SubjectKey]bool{}, yellowSeen: map[wire.SubjectKey]bool{}}
			counts[k] = vd
		}
		return vd
	}
	// Undos first: an undone visit does not count (its undo does).
	undone := map[visit.ID]bool{}
	var records []visit.Record
	err = st.Visits(ctx, from, to, func(page []visit.Record) error {
		for _, r := range page {
			if !days[r.Day] {
				continue
			}
			if r.Decision == visit.Undo {
				undone[r.Undoes] = true
			}
			records = append(records, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range records {
		vd := get(r.Venue, r.Day)
		if undone[r.ID] {
			continue
		}
		switch r.Decision {
		case visit.Admit, visit.Override:
			if r.Decision == visit.Override {
				vd.Overrides++
			}
			if r.Direction == visit.Exit {
				vd.Exits++
			} else {
				vd.Entries++
			}
		case visit.Deny:
			vd.Denied++
			vd.DeniedByStatus[r.Status.String()]++
			first := reason.Code("unspecified")
			if len(r.Reasons) > 0 {
				first = r.Reasons[0]
			}
			vd.DeniedByReason[first]++
		case visit.NotVerified:
			vd.NotVerified++
		case visit.Undo:
			vd.Undos++
		}
		if r.Decision != visit.Undo && !r.Subject.IsZero() {
			switch r.Status {
			case wire.Red:
				vd.RedAttempts++
				vd.redSeen[wire.SubjectKey(r.Subject)] = true
			case wire.Yellow:
				vd.YellowAttempts++
				vd.yellowSeen[wire.SubjectKey(r.Subject)] = true
			}
		}
	}
	conflicts, err := st.Conflicts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	rep := &Report{Day: day, DisciplineDays: DisciplineDays, Days: []VenueDay{}, Idle: []IdleVenue{}, Leaders: []Discipline{}, Outsiders: []Discipline{}, Conflicts: []Conflict{}}
	for _, c := range conflicts {
		if c.Day == day {
			rep.Conflicts = append(rep.Conflicts, c)
			get(c.Venue, c.Day).Conflicts++
		}
	}
	for _, vd := range counts {
		vd.RedSubjects, vd.YellowSubjects = len(vd.redSeen), len(vd.yellowSeen)
		vd.redSeen, vd.yellowSeen = nil, nil
		if vd.Day == day {
			rep.Days = append(rep.Days, *vd)
		}
	}
	sort.Slice(rep.Days, func(i, j int) bool { return rep.Days[i].Venue < rep.Days[j].Venue })

	// The fleet's venues: idle days and discipline need the venues that
	// should be scanning, including those that sent nothing at all: every
	// unrevoked kiosk's venue, and a venue whose kiosks are all revoked
	// while it has visits in the window. (The hub stores only visits of
	// a kiosk's own venue, so every venue with visits has a kiosk.)
	kiosks, err := st.Kiosks(ctx)
	if err != nil {
		return nil, err
	}
	venues, known := map[string]bool{}, map[string]bool{}
	for _, k := range kiosks {
		known[k.Venue] = true
		if !k.Revoked() {
			venues[k.Venue] = true
		}
	}
	for k := range counts {
		if known[k.venue] {
			venues[k.venue] = true
		}
	}
	var scores []Discipline
	for venue := range venues {
		idle := 0
		for t := d; idle < DisciplineDays; t = t.AddDate(0, 0, -1) {
			vd := counts[key{venue, t.Format(time.DateOnly)}]
			if vd != nil && scans(vd) > 0 {
				break
			}
			idle++
		}
		if level := IdleLevel(idle); level != "" {
			rep.Idle = append(rep.Idle, IdleVenue{Venue: venue, DaysIdle: idle, Level: level})
		}
		daysWithScans, n, notVerified := 0, 0, 0
		for dd := range days {
			if vd := counts[key{venue, dd}]; vd != nil && scans(vd) > 0 {
				daysWithScans++
				n += scans(vd)
				notVerified += vd.NotVerified
			}
		}
		scores = append(scores, DisciplineScore(venue, daysWithScans, n, notVerified))
	}
	sort.Slice(rep.Idle, func(i, j int) bool {
		if rep.Idle[i].DaysIdle != rep.Idle[j].DaysIdle {
			return rep.Idle[i].DaysIdle > rep.Idle[j].DaysIdle
		}
		return rep.Idle[i].Venue < rep.Idle[j].Venue
	})
	sort.Slice(scores, func(i, j int) bool {
		if scores[i].Score != scores[j].Score {
			return scores[i].Score > scores[j].Score
		}
		return scores[i].Venue < scores[j].Venue
	})
	n := min(RankSize, len(scores))
	rep.Leaders = append(rep.Leaders, scores[:n]...)
	for i := len(scores) - 1; i >= 0 && len(rep.Outsiders) < RankSize; i-- {
		rep.Outsiders = append(rep.Outsiders, scores[i])
	}
	return rep, nil
}

// scans is every decision a venue-day recorded (undos excluded).
func scans(vd *VenueDay) int { return vd.Entries + vd.Exits + vd.Denied + vd.NotVerified }
