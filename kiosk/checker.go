package kiosk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/pass"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// MaxPayload bounds a payload. Longer input is not verified (too_long)
// without being parsed.
const MaxPayload = 4096

// ErrCannotRecord means the visit could not be committed. The verdict must
// not be shown as a decision: the caller shows "cannot record visit".
var ErrCannotRecord = errors.New("cannot record visit")

// ErrNothingToUndo means there is no decision of this kiosk's recent enough
// to undo.
var ErrNothingToUndo = errors.New("nothing to undo")

// Settings are the kiosk's identity and policy, as loaded from its config.
type Settings struct {
	Kiosk, Venue, Door string
	Direction          policy.Direction
	Rules              policy.Rules
	Location           *time.Location // venue-local time for "today" and schedules; UTC when nil
	ClockSkew          time.Duration  // allowance on pass windows and the snapshot clock check
	Debounce           time.Duration  // same payload again within this is not a new visit
	UndoWindow         time.Duration  // how long a decision may be undone
	DryRun             bool           // decide but record nothing
	// ClockJump is how far the wall clock may move against the monotonic
	// clock before verdicts carry clock_jumped (DefaultClockJump when 0).
	ClockJump time.Duration
	// DCC, when set, decides EU Digital COVID Certificates (kiosk/dcc.go).
	DCC *DCCSettings
}

// Defaults for Settings fields left zero.
const (
	DefaultDebounce   = 1500 * time.Millisecond
	DefaultUndoWindow = 5 * time.Minute
)

// Option adjusts a Checker; tests use it to inject a clock or randomness.
type Option func(*Checker)

// WithClock makes the checker read time from now.
func WithClock(now func() time.Time) Option { return func(c *Checker) { c.now = now } }

// WithRandom makes visit ids draw from r.
func WithRandom(r io.Reader) Option { return func(c *Checker) { c.rand = r } }

// Checker decides verdicts. It is safe for concurrent use; checks run one
// at a time, so counters and re-entry always see the previous decision.
type Checker struct {
	st   checkerStore
	set  Settings
	now  func() time.Time
	mono func() time.Duration // nil: elapsed time on now's clock (see readClocks)
	base time.Time            // now's reading at New, for readClocks
	rand io.Reader

	mu       sync.Mutex
	trust    trustCache
	debounce debouncer
	clock    clockGuard
	ids      idSequence // visit ids in decision order, for undo
	// floorErr is why the trusted time floor could not be read from the
	// store's visits at New (nil: it was).
	floorErr error
}

// New returns a checker over an open store. It reads the store's newest
// visits once, for the trusted time floor (see clockGuard).
func New(st *store.Store, s Settings, opts ...Option) *Checker {
	return newChecker(st, s, opts...)
}

// newChecker is New over any checkerStore.
func newChecker(st checkerStore, s Settings, opts ...Option) *Checker {
	if s.ClockSkew == 0 {
		s.ClockSkew = pass.DefaultSkew
	}
	if s.Debounce == 0 {
		s.Debounce = DefaultDebounce
	}
	if s.UndoWindow == 0 {
		s.UndoWindow = DefaultUndoWindow
	}
	if s.Location == nil {
		s.Location = time.UTC
	}
	if s.ClockJump <= 0 {
		s.ClockJump = DefaultClockJump
	}
	c := &Checker{st: st, set: s, now: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(c)
	}
	c.base = c.now()
	c.debounce = newDebouncer(s.Debounce, 64)
	c.clock = clockGuard{skew: s.ClockSkew, jumpLimit: s.ClockJump}
	c.clock.anchor(c.readClocks())
	c.floorErr = c.clock.loadFloor(st)
	c.ids.seed(st)
	return c
}

// Settings returns the checker's settings, with the direction the door
// records now (SetDirection).
func (c *Checker) Settings() Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set
}

// Check decides one payload and, unless this is a dry run, records the
// visit durably before returning. The error is non-nil only when the
// visit could not be recorded (ErrCannotRecord) or ctx ended; a payload
// that fails verification is a NotVerified verdict, not an error.
func (c *Checker) Check(ctx context.Context, payload, source string) (Verdict, error) {
	if err := ctx.Err(); err != nil {
		return Verdict{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	now, mono := c.readClocks()
	m, ok := c.st.Current()
	if !ok {
		m = nil
	}
	c.clock.watch(now, mono, m)
	if prev, ok := c.debounce.seen(payload, now); ok {
		prev.Repeat, prev.Recorded = true, false
		return prev, nil
	}
	v, subject, clockTrusted := c.decide(now, m, payload, source)
	if err := c.record(ctx, &v, subject); err != nil {
		return v, err
	}
	if clockTrusted && v.Recorded {
		c.clock.noteVisit(v.At)
	}
	c.debounce.remember(payload, now, v)
	return v, nil
}

// decide computes the verdict from snapshot m (nil: none) without touching
// the visit log. It returns the subject key too (zero when not verified),
// which the visit record keeps and the verdict only shows masked, and
// whether the decision passed every clock check, so that its time may
// raise the trusted time floor.
func (c *Checker) decide(now time.Time, m *wire.Manifest, payload, source string) (Verdict, wire.SubjectKey, bool) {
	v, subject, clockTrusted := c.decideAt(now, m, payload, source)
	if c.clock.jumped {
		// The flag warns; it does not refuse. What fails closed on a
		// clock run far ahead is the data age limit.
		v.Reasons = append(v.Reasons, reason.ClockJumped)
		v.Warnings = append(v.Warnings, reason.ClockJumped)
		clockTrusted = false
	}
	return v, subject, clockTrusted
}

// decideAt is decide before the clock_jumped warning: the checks in the
// order a verdict needs them, each failure NOT VERIFIED with its reason.
func (c *Checker) decideAt(now time.Time, m *wire.Manifest, payload, source string) (Verdict, wire.SubjectKey, bool) {
	v := Verdict{At: now, Source: source, Direction: c.set.Direction, Kind: KindUnknown}
	var subject wire.SubjectKey
	clockTrusted := false
	notVerified := func(e *pass.Error) (Verdict, wire.SubjectKey, bool) {
		v.Decision = NotVerified
		v.Holder = nil // a guard compares a name only with a verified visitor
		v.Reasons = []reason.Code{e.Reason}
		v.ExpiredAgo, v.ValidIn = e.ExpiredAgo, e.ValidIn
		v.Detail = e.Detail
		return v, wire.SubjectKey{}, clockTrusted
	}

	switch pass.Classify(payload) {
	case pass.KindIIN:
		v.Kind = KindIIN
	case pass.KindPass:
		v.Kind = KindPass
	}
	if c.isDCC(payload) {
		v.Kind = KindDCC
	}
	var dccUntil time.Time
	if len(payload) > MaxPayload {
		return notVerified(&pass.Error{Reason: reason.TooLong})
	}

	if m == nil {
		return notVerified(&pass.Error{Reason: reason.NoSnapshot})
	}
	v.SnapshotVersion = m.Version
	// A board without an RTC wakes up in 1970, and a clock set back
	// makes expired passes valid again: every window check would be
	// wrong, so refuse to judge rather than give a colour not earned.
	if why, behind := c.clock.behind(now, m); behind {
		return notVerified(&pass.Error{Reason: reason.UntrustworthyClock, Detail: why})
	}
	age := now.Sub(m.CreatedAt)
	tooOld := c.set.Rules.DataTooOld(age)
	clockTrusted = !tooOld

	trust := c.trust.get(m)
	switch v.Kind {
	case KindIIN:
		digits, err := pass.ParseIIN(payload)
		if err != nil {
			return notVerified(asPassError(err))
		}
		subject = trust.hasher.IIN(digits)
		v.IINLast4 = digits[len(digits)-4:]
	case KindPass:
		p, err := pass.Verify(payload, trust.issuers, now, c.set.ClockSkew)
		if err != nil {
			return notVerified(asPassError(err))
		}
		subject = p.Subject
		v.PassFrom, v.PassUntil = p.NotBefore, p.ExpiresAt
	case KindDCC:
		var e *pass.Error
		if subject, dccUntil, v.Holder, e = c.verifyDCC(payload, now, trust.hasher); e != nil {
			return notVerified(e)
		}
	default:
		return notVerified(&pass.Error{Reason: reason.UnknownFormat})
	}
	if tooOld {
		// A clock run far ahead finds every listed status ended: judge
		// nothing from data this old rather than admit red and yellow
		// as blue. An exit needs no status — who is leaving is
		// verified, which is all presence and occupancy need — so it
		// is recorded, with no status shown.
		detail := fmt.Sprintf("status data is %s old, beyond the limit of %s", age.Round(time.Second), c.set.Rules.DataAgeLimit())
		if c.set.Direction != policy.Exit {
			return notVerified(&pass.Error{Reason: reason.DataTooOld, Detail: detail})
		}
		v.Subject = subject.Masked()
		v.Decision = Admit
		v.Reasons = []reason.Code{reason.DataTooOld}
		v.Warnings = []reason.Code{reason.DataTooOld}
		v.Detail = detail
		return v, subject, clockTrusted
	}
	entry, found, err := c.st.Lookup(subject)
	if err != nil {
		// A read failure must not turn into blue: say so.
		return notVerified(storeReadFailed("status", err))
	}
	v.Subject = subject.Masked()
	v.HasStatus, v.Status = true, wire.Blue
	if found {
		v.Status = entry.StatusAt(now)
		if v.Status != wire.Blue {
			v.StatusUntil = entry.ValidUntil()
		}
	}
	if v.Kind == KindDCC {
		// The certificate, not the snapshot, is the status: green until
		// the venue rule that admitted it stops counting.
		v.Status, v.StatusUntil = wire.Green, dccUntil
	}

	day := c.day(now)
	in := policy.Input{
		Now:         now.In(c.set.Location),
		Direction:   c.set.Direction,
		Status:      v.Status,
		SnapshotAge: now.Sub(m.CreatedAt),
	}
	if c.set.Direction == policy.Entry {
		// A failed read must not stand in for "not inside" or "empty
		// venue": that would admit at a full door.
		first, _, inside, err := c.st.Presence(subject, day)
		if err != nil {
			return c.unverifiedAfterLookup(&v, storeReadFailed("presence", err), clockTrusted)
		}
		if inside {
			in.FirstEntryAt = first
			v.FirstEntryAt = first
		}
		counters, err := c.st.Counters(day)
		if err != nil {
			return c.unverifiedAfterLookup(&v, storeReadFailed("counters", err), clockTrusted)
		}
		in.Inside = counters.Inside
	}
	d := policy.Decide(c.set.Rules, in)
	v.Decision = Deny
	if d.Admit {
		v.Decision = Admit
	}
	v.Reasons = d.Reasons()
	v.Warnings = d.Warn
	return v, subject, clockTrusted
}

// unverifiedAfterLookup turns a verdict that already holds a status into a
// NOT VERIFIED one: no status, no subject, no re-entry time.
func (c *Checker) unverifiedAfterLookup(v *Verdict, e *pass.Error, clockTrusted bool) (Verdict, wire.SubjectKey, bool) {
	out := Verdict{
		At: v.At, Source: v.Source, Kind: v.Kind, Direction: v.Direction, SnapshotVersion: v.SnapshotVersion,
		Decision: NotVerified, Reasons: []reason.Code{e.Reason}, Detail: e.Detail,
	}
	return out, wire.SubjectKey{}, clockTrusted
}

func asPassError(err error) *pass.Error {
	var pe *pass.Error
	if errors.As(err, &pe) {
		return pe
	}
	return &pass.Error{Reason: reason.Malformed, Detail: err.Error()}
}

// record commits v as a visit unless this is a dry run.
func (c *Checker) record(ctx context.Context, v *Verdict, subject wire.SubjectKey) error {
	if c.set.DryRun {
		return nil
	}
	visit, err := c.visitOf(v, subject)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCannotRecord, err)
	}
	if _, err := c.st.Record(ctx, visit); err != nil {
		return fmt.Errorf("%w: %w", ErrCannotRecord, err)
	}
	v.VisitID, v.Recorded = visit.ID.String(), true
	return nil
}

// day is the venue-local date counters and presence belong to.
func (c *Checker) day(t time.Time) string { return t.In(c.set.Location).Format(time.DateOnly) }

// Undo reverses the last decision recorded in the store, if this kiosk
// made it within the undo window (a turnstile that did not turn). Only the
// very last decision can be undone, once; the undo is its own record.
// Because it reads the store, it also works from a fresh process.
func (c *Checker) Undo(ctx context.Context) (Verdict, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	recent, err := c.st.Recent(1)
	if err != nil {
		return Verdict{}, fmt.Errorf("undo: read last visit: %w", err)
	}
	if len(recent) == 0 {
		return Verdict{}, ErrNothingToUndo
	}
	last := recent[0]
	age := now.Sub(last.At)
	if last.Verdict == store.VerdictUndo || last.Kiosk != c.set.Kiosk || age < 0 || age > c.set.UndoWindow {
		return Verdict{}, ErrNothingToUndo
	}
	v := Verdict{
		At: now, Source: "undo", Kind: payloadKindOf(last.Kind), Direction: c.set.Direction,
		Decision: Undone, SnapshotVersion: last.SnapshotVersion, Undoes: last.ID.String(),
	}
	if !last.Subject.IsZero() {
		v.Subject = last.Subject.Masked()
	}
	visit, err := c.visitOf(&v, last.Subject)
	if err != nil {
		return v, fmt.Errorf("%w: %w", ErrCannotRecord, err)
	}
	visit.Undoes = last.ID
	if _, err := c.st.Record(ctx, visit); err != nil {
		if errors.Is(err, store.ErrUndoNotAllowed) {
			return Verdict{}, fmt.Errorf("%w: %w", ErrNothingToUndo, err)
		}
		return v, fmt.Errorf("undo: %w: %w", ErrCannotRecord, err)
	}
	v.VisitID, v.Recorded = visit.ID.String(), true
	c.debounce.forget()
	return v, nil
}
