package tui

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/sync/reason"
)

// Every word the screen shows comes from the catalogue (kiosk/tui/catalog)
// the model holds, in the configured languages (ui.languages), through
// the helpers below; no page keeps a string of its own.
//
// Several languages, and space. A line is shown in every configured
// language, joined by langSep ("СКАНЕРЛЕҢІЗ | СКАНИРУЙТЕ | SCAN"), when
// that fits the width; a line that does not fit shows the first language
// only, rather than wrap or cut a translation. Where rows allow,
// visitor-facing lines (the idle prompt, the reasons of a verdict on a
// tall screen) are stacked instead, one language a line. The verdict word
// in block letters is the first language the block font can draw, with
// every language's word as text under it. Staff-facing lines that must
// never lose anything to a translation — the status bar, the history's
// columns, the stats' labels — are in the first language: it is the
// guard's.

// langSep joins one string's languages on a line.
const langSep = " | "

// langs returns the languages shown, in order.
func (m *Model) langs() []catalog.Lang { return m.cat.Langs() }

// tx is key k in the first language.
func (m *Model) tx(k catalog.Key, args ...any) string { return m.cat.Text(k, args...) }

// tr is key k in every configured language, one line each (duplicates
// once).
func (m *Model) tr(k catalog.Key, args ...any) []string { return m.cat.All(k, args...) }

// tr1 is key k in the configured languages on one line.
func (m *Model) tr1(k catalog.Key, args ...any) string { return m.cat.Join(langSep, k, args...) }

// fit is key k in every language on one line when that fits w columns,
// else in the first language.
func (m *Model) fit(w int, k catalog.Key, args ...any) string { return fitLangs(w, m.tr(k, args...)) }

// fitLangs joins one string's languages when they fit w, else returns
// the first.
func fitLangs(w int, all []string) string {
	if len(all) == 0 {
		return ""
	}
	if s := strings.Join(all, langSep); lipgloss.Width(s) <= w {
		return s
	}
	return all[0]
}

// firstLang is the first language of a line tr1 joined (a key's help).
func firstLang(s string) string {
	first, _, _ := strings.Cut(s, langSep)
	return first
}

// decisionKey is the catalogue key of a verdict's word.
func decisionKey(v kiosk.Verdict) catalog.Key {
	switch v.Decision {
	case kiosk.Admit:
		if v.Direction.String() == "exit" {
			return catalog.ExitRecorded
		}
		return catalog.Admit
	case kiosk.Deny:
		return catalog.Deny
	case kiosk.Undone:
		return catalog.Undone
	case kiosk.Override:
		return catalog.OverrideAdmitted
	}
	return catalog.NotVerified
}

// failedToRecord reports whether r is a decision whose visit could not be
// recorded: CANNOT RECORD VISIT, whatever the decision was.
func failedToRecord(r kiosk.Result) bool {
	return r.Err != nil && !r.Verdict.Recorded && r.Verdict.Decision != "" && r.Source != "undo"
}

// details are what the reason lines of v say beyond their codes: how long
// ago a pass expired, when the visitor entered, how full the venue is (a
// full deny means the count reached the capacity; the counters on screen
// may be from before the last scans, so never less than it), how old the
// data is.
func (m *Model) details(v kiosk.Verdict) catalog.Details {
	d := catalog.Details{ExpiredAgo: v.ExpiredAgo, ValidIn: v.ValidIn, DataAge: m.stats.Snapshot.Age}
	if !v.FirstEntryAt.IsZero() {
		d.FirstEntryAt = v.FirstEntryAt.In(m.opt.Location).Format("15:04")
	}
	if m.opt.Capacity > 0 {
		d.Inside, d.Capacity = max(m.stats.Counters.Inside, m.opt.Capacity), m.opt.Capacity
	}
	return d
}

// reasonLines are reason c of v in the configured languages, with its
// details: one line of them all when it fits w, else stacked one a line
// when stack allows, else the first language.
func (m *Model) reasonLines(c reason.Code, d catalog.Details, w int, stack bool) []string {
	all := m.cat.Reasons(c, d)
	if s := strings.Join(all, langSep); lipgloss.Width(s) <= w || len(all) == 1 {
		return []string{s}
	}
	if stack {
		return all
	}
	return all[:1]
}

// age renders a duration in the first language: "3 days", "2 h 5 min".
func (m *Model) age(d time.Duration) string { return m.cat.Duration(m.cat.First(), d) }
