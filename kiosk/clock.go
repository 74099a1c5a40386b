package kiosk

import (
	"fmt"
	"slices"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// DefaultClockJump is how far the wall clock may move against the
// monotonic clock while the kiosk runs before it is flagged clock_jumped.
// A running kiosk's clock drifts by seconds a day and NTP corrects it by
// seconds to minutes, even after days offline; a step of a day or more
// means the clock was wrong by a day before or after it, which matters
// for status windows measured in days. A step of years is never a
// correction.
const DefaultClockJump = 24 * time.Hour

// recentForFloor is how many of the newest visits New reads to find the
// latest one decided on a trusted clock.
const recentForFloor = 16

// WithMonotonic makes the checker read monotonic elapsed time from mono,
// which must never go backwards or jump. Tests pair it with WithClock to
// move the wall clock alone. Without it the checker measures elapsed time
// on its clock (see readClocks).
func WithMonotonic(mono func() time.Duration) Option { return func(c *Checker) { c.mono = mono } }

// TimeSource names where the kiosk's trusted time floor came from.
type TimeSource string

const (
	TimeFromSnapshot TimeSource = "snapshot" // the current snapshot's creation, signed by the hub
	TimeFromVisit    TimeSource = "visit"    // this kiosk's latest visit decided on a trusted clock
	TimeFromHub      TimeSource = "hub"      // a time the hub reported (NoteTrustedTime)
)

// ClockState is what the kiosk knows about its clock, for the status bar.
type ClockState struct {
	Now time.Time // the wall clock when the state was read
	// Trusted is the latest time the kiosk has reason to trust, and
	// TrustedFrom where it came from; zero with no snapshot, visit or hub
	// time. A wall clock more than the clock skew earlier is Behind, and
	// every check is NOT VERIFIED untrustworthy_clock.
	Trusted     time.Time
	TrustedFrom TimeSource
	Behind      bool
	// Jumped is true when the wall clock moved against the monotonic
	// clock by more than the jump threshold since the kiosk started or
	// was last re-anchored; JumpedBy is that move (negative: backwards)
	// and JumpedAt the wall clock just after it. Every verdict carries
	// the clock_jumped warning while it is set.
	Jumped   bool
	JumpedBy time.Duration
	JumpedAt time.Time
	// FloorErr is why the newest visits could not be read for the floor
	// when the checker started (nil: they were); the floor then rests on
	// the snapshot and the hub alone.
	FloorErr error
}

// clockGuard keeps the trusted time floor and watches the wall clock
// against the monotonic one. It belongs to a Checker and is used under
// the Checker's lock.
//
// The floor is the latest of the current snapshot's creation, the latest
// visit decided on a trusted clock, and the latest hub time noted. Only a
// visit whose decision passed every clock check — not behind the floor,
// data within the age limit, no jump flagged — raises it, so a clock that
// runs far ahead records visits that never lock the kiosk out once it is
// corrected. A clock that runs ahead by less than the data age limit
// without jumping is not detectable; its visits raise the floor, and once
// it is corrected the kiosk refuses until real time catches up with the
// last of them (at most as long as the clock had been ahead, so at most
// the data age limit), or until the hub's time re-anchors it.
type clockGuard struct {
	skew, jumpLimit time.Duration

	// anchorWall and anchorMono were read together: since then, wall
	// and monotonic elapsed time should agree.
	anchorWall time.Time
	anchorMono time.Duration

	visitAt time.Time // latest visit decided on a trusted clock
	hubAt   time.Time // latest hub time noted

	jumped      bool
	jumpBy      time.Duration
	jumpAt      time.Time
	jumpVersion uint64 // snapshot version current when the jump was flagged
}

// anchor takes wall and monotonic readings as the new reference.
func (g *clockGuard) anchor(wall time.Time, mono time.Duration) {
	g.anchorWall, g.anchorMono = wall.Round(0), mono
}

// observe compares wall with monotonic elapsed time since the anchor and
// flags a move beyond the threshold, in either direction. The flag stays
// until the clock is re-anchored by a trusted time (noteSnapshot,
// noteHub); the anchor moves to the new frame so a further jump is
// measured from there. version is the current snapshot's (0: none).
func (g *clockGuard) observe(wall time.Time, mono time.Duration, version uint64) {
	drift := wall.Round(0).Sub(g.anchorWall) - (mono - g.anchorMono)
	if drift > g.jumpLimit || drift < -g.jumpLimit {
		g.jumped, g.jumpBy, g.jumpAt, g.jumpVersion = true, drift, wall, version
		g.anchor(wall, mono)
	}
}

// watch observes the clocks and then lets the current snapshot (nil:
// none) re-anchor them: in that order, so a jump seen now is not cleared
// by the snapshot that was current before it.
func (g *clockGuard) watch(wall time.Time, mono time.Duration, m *wire.Manifest) {
	var version uint64
	if m != nil {
		version = m.Version
	}
	g.observe(wall, mono, version)
	if m != nil {
		g.noteSnapshot(m, wall, mono)
	}
}

// noteSnapshot clears a jump flag when a snapshot newer than the one of
// the jump agrees with the wall clock: the hub, when it created it, was
// no more than the jump threshold behind the kiosk's clock now, and not
// ahead of it.
func (g *clockGuard) noteSnapshot(m *wire.Manifest, wall time.Time, mono time.Duration) {
	if !g.jumped || m.Version == g.jumpVersion {
		return
	}
	if age := wall.Sub(m.CreatedAt); age >= -g.skew && age <= g.jumpLimit {
		g.jumped = false
		g.anchor(wall, mono)
	}
}

// noteHub records a time the hub reported. The hub's time is more
// authoritative than this kiosk's own past clock, so it also lowers the
// floor a visit set: a visit later than the hub's time was decided on a
// clock that ran ahead. It never lowers the floor below the snapshot's
// creation, which the hub signed. A wall clock that agrees with the hub
// within the skew clears a jump flag.
func (g *clockGuard) noteHub(t, wall time.Time, mono time.Duration) {
	if t.IsZero() {
		return
	}
	t = t.Round(0)
	if t.After(g.hubAt) {
		g.hubAt = t
	}
	if g.visitAt.After(t) {
		g.visitAt = t
	}
	if d := wall.Sub(t); g.jumped && d >= -g.skew && d <= g.skew {
		g.jumped = false
		g.anchor(wall, mono)
	}
}

// noteVisit raises the floor to a visit decided on a trusted clock.
func (g *clockGuard) noteVisit(at time.Time) {
	if at = at.Round(0); at.After(g.visitAt) {
		g.visitAt = at
	}
}

// floor returns the trusted time floor and its source, given the current
// snapshot (nil: none).
func (g *clockGuard) floor(m *wire.Manifest) (time.Time, TimeSource) {
	var t time.Time
	var from TimeSource
	if m != nil {
		t, from = m.CreatedAt, TimeFromSnapshot
	}
	if g.visitAt.After(t) {
		t, from = g.visitAt, TimeFromVisit
	}
	if g.hubAt.After(t) {
		t, from = g.hubAt, TimeFromHub
	}
	return t, from
}

// behind returns, when wall is more than the skew earlier than the
// floor, why the clock cannot be trusted.
func (g *clockGuard) behind(wall time.Time, m *wire.Manifest) (string, bool) {
	floor, from := g.floor(m)
	if floor.IsZero() || !wall.Add(g.skew).Before(floor) {
		return "", false
	}
	what := map[TimeSource]string{
		TimeFromSnapshot: "the status data's creation",
		TimeFromVisit:    "the last recorded visit",
		TimeFromHub:      "the hub's time",
	}[from]
	return fmt.Sprintf("clock %s is behind %s at %s", wall.UTC().Format(time.RFC3339), what, floor.UTC().Format(time.RFC3339)), true
}

// trustedVisit reports whether a recorded visit was decided on a clock the
// kiosk trusted, so that its time may raise the floor: a decision (not an
// unverified scan, which may never have reached the clock checks, nor an
// undo, which makes none) that carries no clock or data age reason.
func trustedVisit(v store.Visit) bool {
	if v.Verdict != store.VerdictAdmit && v.Verdict != store.VerdictDeny {
		return false
	}
	return !slices.ContainsFunc(v.Reasons, func(r reason.Code) bool {
		return r == reason.ClockJumped || r == reason.DataTooOld || r == reason.UntrustworthyClock
	})
}

// loadFloor sets the visit floor from the newest trusted visit on disk. A
// failed read leaves it at the snapshot's creation: that only weakens the
// floor, and the checks that follow read the same store and fail closed.
func (g *clockGuard) loadFloor(st checkerStore) error {
	recent, err := st.Recent(recentForFloor)
	if err != nil {
		return fmt.Errorf("read the last visits for the trusted time: %w", err)
	}
	for _, v := range recent { // newest first
		if trustedVisit(v) {
			g.noteVisit(v.At)
			break
		}
	}
	return nil
}

// readClocks reads the wall clock and the monotonic elapsed time, the
// latter from WithMonotonic or else from the same wall reading: time.Now's
// readings carry the monotonic clock, which Sub uses, so the default
// detects jumps, while a test clock without one never does.
func (c *Checker) readClocks() (time.Time, time.Duration) {
	now := c.now()
	if c.mono == nil {
		return now, now.Sub(c.base)
	}
	return now, c.mono()
}

// NoteTrustedTime records a time from a trusted source — the hub's Date
// header on an authenticated response — as the kiosk's trusted time: the
// wall clock must not read earlier than it (beyond the clock skew), it
// re-anchors a floor raised by visits decided on a clock that ran ahead,
// and a wall clock that agrees with it clears a clock_jumped flag. It is
// kept in memory: the visits recorded after it keep the floor across a
// restart.
func (c *Checker) NoteTrustedTime(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now, mono := c.readClocks()
	c.clock.noteHub(t, now, mono)
}

// ClockState reports the trusted time floor and whether the clock has
// jumped, taking a fresh reading of both clocks.
func (c *Checker) ClockState() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	now, mono := c.readClocks()
	m, ok := c.st.Current()
	if !ok {
		m = nil
	}
	c.clock.watch(now, mono, m)
	s := ClockState{Now: now, Jumped: c.clock.jumped, FloorErr: c.floorErr}
	s.Trusted, s.TrustedFrom = c.clock.floor(m)
	_, s.Behind = c.clock.behind(now, m)
	if s.Jumped {
		s.JumpedBy, s.JumpedAt = c.clock.jumpBy, c.clock.jumpAt
	}
	return s
}
