package catalog

import (
	"slices"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Details are what a reason line says beyond its code: how long ago a
// pass expired, when the visitor entered, how full the venue is. A zero
// field means "not known": the line is then the bare description.
type Details struct {
	ExpiredAgo time.Duration // expired
	ValidIn    time.Duration // not_yet_valid
	// FirstEntryAt is the time of today's entry for reentry, already
	// formatted in the venue's zone ("14:05").
	FirstEntryAt string
	Inside       int           // full: visitors inside …
	Capacity     int           // … of this many (0: unknown)
	DataAge      time.Duration // stale_snapshot, data_too_old
}

// reasonText is one language's descriptions of every reason code, and
// detailed forms of the codes that have details (fmt formats whose
// arguments detailArgs gives).
type reasonText struct {
	plain    map[reason.Code]string
	detailed map[reason.Code]string
}

// reasonsOf returns language l's reason descriptions, made afresh.
func reasonsOf(l Lang) reasonText {
	switch l {
	case KK:
		return kkReasons()
	case RU:
		return ruReasons()
	}
	return enReasons()
}

// Reason describes code c in language l, with d's details when c has a
// detailed form and d carries them. An unknown code describes itself, so
// a code newer than the catalogue still shows (the test keeps the
// catalogue complete).
func (cat *Catalog) Reason(l Lang, c reason.Code, d Details) string {
	t := cat.reasons[l]
	if f, ok := t.detailed[c]; ok {
		if args, ok := cat.detailArgs(l, c, d); ok {
			return sprintf(f, args...)
		}
	}
	if s, ok := t.plain[c]; ok {
		return s
	}
	if s, ok := cat.reasons[EN].plain[c]; ok {
		return s
	}
	return string(c)
}

// Reasons describes code c with d's details in each language shown, in
// order, duplicates once.
func (cat *Catalog) Reasons(c reason.Code, d Details) []string {
	out := make([]string, 0, len(cat.langs))
	for _, l := range cat.langs {
		if s := cat.Reason(l, c, d); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// detailArgs returns the arguments of c's detailed form, and false when d
// does not hold them.
func (cat *Catalog) detailArgs(l Lang, c reason.Code, d Details) ([]any, bool) {
	switch c {
	case reason.Expired:
		return []any{cat.Duration(l, d.ExpiredAgo)}, d.ExpiredAgo > 0
	case reason.NotYetValid:
		return []any{cat.Duration(l, d.ValidIn)}, d.ValidIn > 0
	case reason.Reentry:
		return []any{d.FirstEntryAt}, d.FirstEntryAt != ""
	case reason.Full:
		return []any{d.Inside, d.Capacity}, d.Capacity > 0
	case reason.StaleSnapshot, reason.DataTooOld:
		return []any{cat.Duration(l, d.DataAge)}, d.DataAge > 0
	}
	return nil, false
}

// Duration renders d the way people say it: "3 days", "2 h 5 min".
func (c *Catalog) Duration(l Lang, d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return c.Lookup(l, DurDays, int(d/(24*time.Hour)))
	case d >= time.Hour:
		return c.Lookup(l, DurHoursM, int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return c.Lookup(l, DurMinutes, int(d/time.Minute))
	}
	return c.Lookup(l, DurSeconds, int(d/time.Second))
}

// StatusKey is the key of a status colour's name.
func StatusKey(s wire.Status) Key {
	switch s {
	case wire.Green:
		return StatusGreen
	case wire.Yellow:
		return StatusYellow
	case wire.Red:
		return StatusRed
	}
	return StatusBlue
}
