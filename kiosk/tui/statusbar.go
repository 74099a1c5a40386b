package tui

import (
	"maps"
	"slices"

	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// segment is one item of the status bar, in a long and a short form.
// A kept segment is something the guard must act on (a scanner
// unplugged, data or clock that make every verdict NOT VERIFIED) or
// always needs (inside count, uploads waiting, the hub link): it is
// never dropped, only shortened, and the bar grows a line for it.
type segment struct {
	long, short string
	keep        bool
}

// barSeparator joins segments on a line.
const barSeparator = " · "

// maxBarLines is how many lines the bar may take before it drops
// anything; critical segments may take more.
const maxBarLines = 2

// wideBar is the width from which the bar prefers one line of short
// forms to two of long ones.
const wideBar = 100

// segments lists the status bar's items, most important first: what
// stops the kiosk from deciding, then what the guard needs, then
// background. The bar is in the first language (text.go): it is the
// guard's, and no translation may push out what matters.
func (m *Model) segments() []segment {
	var segs []segment
	add := func(keep bool, long, short string) {
		segs = append(segs, segment{long: long, short: short, keep: keep})
	}
	if m.opt.Demo {
		add(true, m.tx(catalog.Demo), m.tx(catalog.Demo))
	}
	down := 0
	for _, src := range slices.Sorted(maps.Keys(m.scannerOK)) {
		if !m.scannerOK[src] {
			down++
		}
	}
	switch {
	case down == 1:
		add(true, m.tx(catalog.ScannerDown), m.tx(catalog.ScannerDownShort))
	case down > 1:
		add(true, m.tx(catalog.ScannersDown, down), m.tx(catalog.ScannerDownShort))
	}
	s := m.stats
	if m.statsErr != nil {
		add(true, m.tx(catalog.StatsUnavailable), m.tx(catalog.StatsUnavailableShort))
	}
	clock := m.clock
	switch {
	case clock.Behind || (m.statsErr == nil && s.Snapshot.ClockBehind):
		add(true, m.tx(catalog.ClockWrong), m.tx(catalog.ClockWrong))
	case clock.Jumped:
		add(true, m.tx(catalog.ClockJumped), m.tx(catalog.ClockJumped))
	}
	age := m.age(s.Snapshot.Age)
	dataOK := false
	switch {
	case m.statsErr != nil:
	case !s.Snapshot.Present:
		add(true, m.tx(catalog.NoData), m.tx(catalog.NoDataShort))
	case s.Snapshot.TooOld:
		add(true, m.tx(catalog.DataTooOld, s.Snapshot.Version, age), m.tx(catalog.DataTooOldShort, age))
	case s.Snapshot.Stale:
		add(true, m.tx(catalog.DataStale, s.Snapshot.Version, age), m.tx(catalog.DataStaleShort, age))
	default:
		dataOK = true
	}
	sync := m.sync
	switch sync.Connectivity {
	case kiosk.Revoked:
		add(true, m.tx(catalog.Revoked), m.tx(catalog.Revoked))
	case kiosk.Offline:
		add(true, m.tx(catalog.Offline), m.tx(catalog.Offline))
	}
	if sync.UploadOverdue {
		add(true, m.tx(catalog.UploadsOverdue, s.Pending), m.tx(catalog.UploadsOverdueShort, s.Pending))
	}
	c := s.Counters
	add(true, m.tx(catalog.Inside, c.Inside), m.tx(catalog.Inside, c.Inside))
	if s.Pending > 0 && !sync.UploadOverdue {
		add(true, m.tx(catalog.Pending, s.Pending), m.tx(catalog.PendingShort, s.Pending))
	}
	switch sync.Connectivity {
	case kiosk.NoHub:
		add(true, m.tx(catalog.NoHub), m.tx(catalog.NoHubShort))
	case kiosk.Online:
		add(true, m.tx(catalog.Online), m.tx(catalog.Online))
	}
	if dataOK {
		add(false, m.tx(catalog.DataOK, s.Snapshot.Version, age), m.tx(catalog.DataOKShort, age))
	}
	add(false, m.tx(catalog.InOut, c.Entries, c.Exits), m.tx(catalog.InOut, c.Entries, c.Exits))
	if m.opt.Title != "" {
		t := sanitize.Escape(m.opt.Title)
		add(false, t, t)
	}
	if dk, ok := m.directionKey(); ok {
		// The direction the door records now (F7 may switch it).
		add(false, m.tx(dk), m.tx(dk))
	}
	add(false, m.tx(catalog.HelpHint), m.tx(catalog.HelpHintShort))
	return segs
}

// layoutBar fits segs into lines of width w: on one line if they fit
// (on a wide screen, with the least important shortened first), else on
// two, shortening the least important first, then dropping the least
// important of those not kept. Kept segments are never dropped: if they
// alone need more than two lines they get them. A segment wider than a
// line is cut with an ellipsis.
func layoutBar(segs []segment, w int) []string {
	texts := make([]string, len(segs))
	for i, s := range segs {
		texts[i] = s.long
	}
	if w >= wideBar {
		short := slices.Clone(texts)
		for i := len(segs); i >= 0; i-- {
			if i < len(segs) {
				short[i] = segs[i].short
			}
			if lines := packBar(short, w); len(lines) == 1 {
				return lines
			}
		}
	}
	if lines := packBar(texts, w); len(lines) <= maxBarLines {
		return lines
	}
	for i := len(segs) - 1; i >= 0; i-- {
		texts[i] = segs[i].short
		if lines := packBar(texts, w); len(lines) <= maxBarLines {
			return lines
		}
	}
	kept := slices.Clone(segs)
	for i := len(kept) - 1; i >= 0; i-- {
		if kept[i].keep {
			continue
		}
		kept = slices.Delete(kept, i, i+1)
		texts = texts[:0]
		for _, s := range kept {
			texts = append(texts, s.short)
		}
		if lines := packBar(texts, w); len(lines) <= maxBarLines {
			return lines
		}
	}
	return packBar(texts, w)
}

// packBar packs texts greedily into lines of width w, each starting with
// a space.
func packBar(texts []string, w int) []string {
	var lines []string
	cur := ""
	for _, t := range texts {
		if t == "" {
			continue
		}
		switch {
		case cur == "":
			cur = " " + t
		case ansi.StringWidth(cur+barSeparator+t) <= w:
			cur += barSeparator + t
		default:
			lines = append(lines, cur)
			cur = " " + t
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lines
}

// statusBar renders the bar's lines.
func (m *Model) statusBar() []string {
	return layoutBar(m.segments(), m.width)
}
