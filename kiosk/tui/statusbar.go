package tui

import (
	"fmt"
	"maps"
	"slices"

	"github.com/charmbracelet/x/ansi"

	"github.com/doorcheck/doorcheck/kiosk"
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
// background.
func (m *Model) segments() []segment {
	var segs []segment
	add := func(keep bool, long, short string) {
		segs = append(segs, segment{long: long, short: short, keep: keep})
	}
	if m.opt.Demo {
		add(true, strDemo, strDemo)
	}
	down := 0
	for _, src := range slices.Sorted(maps.Keys(m.scannerOK)) {
		if !m.scannerOK[src] {
			down++
		}
	}
	switch {
	case down == 1:
		add(true, strScannerDown, strScannerDownShort)
	case down > 1:
		add(true, fmt.Sprintf(strScannersDown, down), strScannerDownShort)
	}
	s := m.stats
	if m.statsErr != nil {
		add(true, strStatsUnavailable, strStatsUnavailableShort)
	}
	clock := m.clock
	switch {
	case clock.Behind || (m.statsErr == nil && s.Snapshot.ClockBehind):
		add(true, strClockWrong, strClockWrong)
	case clock.Jumped:
		add(true, strClockJumped, strClockJumped)
	}
	age := human(s.Snapshot.Age)
	dataOK := false
	switch {
	case m.statsErr != nil:
	case !s.Snapshot.Present:
		add(true, strNoData, strNoDataShort)
	case s.Snapshot.TooOld:
		add(true, fmt.Sprintf(strDataTooOld, s.Snapshot.Version, age), fmt.Sprintf(strDataTooOldShort, age))
	case s.Snapshot.Stale:
		add(true, fmt.Sprintf(strDataStale, s.Snapshot.Version, age), fmt.Sprintf(strDataStaleShort, age))
	default:
		dataOK = true
	}
	sync := m.sync
	switch sync.Connectivity {
	case kiosk.Revoked:
		add(true, strRevoked, strRevoked)
	case kiosk.Offline:
		add(true, strOffline, strOffline)
	}
	if sync.UploadOverdue {
		add(true, fmt.Sprintf(strUploadsOverdue, s.Pending), fmt.Sprintf(strUploadsOverdueShort, s.Pending))
	}
	c := s.Counters
	add(true, fmt.Sprintf(strInside, c.Inside), fmt.Sprintf(strInside, c.Inside))
	if s.Pending > 0 && !sync.UploadOverdue {
		add(true, fmt.Sprintf(strPending, s.Pending), fmt.Sprintf(strPendingShort, s.Pending))
	}
	switch sync.Connectivity {
	case kiosk.NoHub:
		add(true, strNoHub, strNoHubShort)
	case kiosk.Online:
		add(true, strOnline, strOnline)
	}
	if dataOK {
		add(false, fmt.Sprintf(strDataOK, s.Snapshot.Version, age), fmt.Sprintf(strDataOKShort, age))
	}
	add(false, fmt.Sprintf(strInOut, c.Entries, c.Exits), fmt.Sprintf(strInOut, c.Entries, c.Exits))
	if m.opt.Title != "" {
		t := sanitize.Escape(m.opt.Title)
		add(false, t, t)
	}
	add(false, strHelpHint, strHelpHintShort)
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
