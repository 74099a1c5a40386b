package tui

import (
	"fmt"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk"
)

// BellPattern is how the terminal bell rings for one verdict: Rings
// bells, Gap apart. The zero value is silent.
type BellPattern struct {
	Rings int
	Gap   time.Duration
}

// Bells are the bell patterns per verdict (ui.bell). Undo, an exit
// recorded and an override ring Admit's; an error that is not a verdict
// rings NotVerified's.
type Bells struct {
	Admit, Deny, NotVerified, CannotRecord BellPattern
}

// The gaps: far enough apart for a count to be heard as one, and, for
// long, close enough for the Linux console's beeps (about 125 ms each)
// to run into one tone.
const (
	bellGap     = 200 * time.Millisecond
	longGap     = 60 * time.Millisecond
	longRings   = 9 // about half a second
	maxBellRing = 9
)

// DefaultBells are ui.bell's defaults: one bell admits, three stop, two
// say look again, and a visit that could not be recorded rings long.
func DefaultBells() Bells {
	return Bells{
		Admit:        BellPattern{Rings: 1, Gap: bellGap},
		Deny:         BellPattern{Rings: 3, Gap: bellGap},
		NotVerified:  BellPattern{Rings: 2, Gap: bellGap},
		CannotRecord: BellPattern{Rings: longRings, Gap: longGap},
	}
}

// ParseBell reads a ui.bell pattern: "off", "1" to "9" short bells, or
// "long".
func ParseBell(s string) (BellPattern, error) {
	switch s {
	case "off":
		return BellPattern{}, nil
	case "long":
		return BellPattern{Rings: longRings, Gap: longGap}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxBellRing {
		return BellPattern{}, fmt.Errorf("bell pattern %q: want off, 1 to 9 or long", s)
	}
	return BellPattern{Rings: n, Gap: bellGap}, nil
}

// bellState is the pattern still ringing: rings left and when the next
// is due. The model's clock tick rings them, so no command sleeps and a
// new verdict's pattern replaces the old one's at once.
type bellState struct {
	left int
	next time.Time
	gap  time.Duration
}

// bells returns the configured patterns.
func (m *Model) bells() Bells {
	if m.opt.Bell == nil {
		return DefaultBells()
	}
	return *m.opt.Bell
}

// bellFor is the pattern result r rings.
func (m *Model) bellFor(r kiosk.Result) BellPattern {
	b := m.bells()
	switch {
	case failedToRecord(r) || r.Verdict.Decision == kiosk.CannotRecord:
		return b.CannotRecord
	case r.Err != nil:
		return b.NotVerified
	}
	switch r.Verdict.Decision {
	case kiosk.Admit, kiosk.Override, kiosk.Undone:
		return b.Admit
	case kiosk.Deny:
		return b.Deny
	}
	return b.NotVerified
}

// ring starts r's pattern: the first bell now (BEL written as it is,
// through tea.Raw, which Bubble Tea writes between frames), the rest on
// the clock tick (ringDue). A pattern still ringing stops.
func (m *Model) ring(r kiosk.Result, now time.Time) tea.Cmd {
	p := m.bellFor(r)
	m.bell = bellState{}
	if p.Rings <= 0 {
		return nil
	}
	m.bell = bellState{left: p.Rings - 1, next: now.Add(p.Gap), gap: p.Gap}
	return tea.Raw("\a")
}

// ringDue rings the next bell of the pattern when it is due.
func (m *Model) ringDue(now time.Time) tea.Cmd {
	if m.bell.left <= 0 || now.Before(m.bell.next) {
		return nil
	}
	m.bell.left--
	m.bell.next = m.bell.next.Add(m.bell.gap)
	return tea.Raw("\a")
}
