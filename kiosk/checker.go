package kiosk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/pass"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/reason"
	"github.com/doorcheck/doorcheck/kiosk/store"
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
	st   *store.Store
	set  Settings
	now  func() time.Time
	rand io.Reader

	mu       sync.Mutex
	trust    trustCache
	debounce debouncer
}

// New returns a checker over an open store.
func New(st *store.Store, s Settings, opts ...Option) *Checker {
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
	c := &Checker{st: st, set: s, now: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(c)
	}
	c.debounce = newDebouncer(s.Debounce, 64)
	return c
}

// Settings returns the checker's settings.
func (c *Checker) Settings() Settings { return c.set }

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

	now := c.now()
	if prev, ok := c.debounce.seen(payload, now); ok {
		prev.Repeat, prev.Recorded = true, false
		return prev, nil
	}
	v, subject := c.decide(now, payload, source)
	if err := c.record(ctx, &v, subject); err != nil {
		return v, err
	}
	c.debounce.remember(payload, now, v)
	return v, nil
}

// decide computes the verdict without touching the visit log. It returns
// the subject key too (zero when not verified), which the visit record
// keeps and the verdict only shows masked.
func (c *Checker) decide(now time.Time, payload, source string) (Verdict, wire.SubjectKey) {
	v := Verdict{At: now, Source: source, Direction: c.set.Direction, Kind: KindUnknown}
	var subject wire.SubjectKey
	notVerified := func(e *pass.Error) (Verdict, wire.SubjectKey) {
		v.Decision = NotVerified
		v.Reasons = []reason.Code{e.Reason}
		v.ExpiredAgo, v.ValidIn = e.ExpiredAgo, e.ValidIn
		return v, wire.SubjectKey{}
	}

	switch pass.Classify(payload) {
	case pass.KindIIN:
		v.Kind = KindIIN
	case pass.KindPass:
		v.Kind = KindPass
	}
	if len(payload) > MaxPayload {
		return notVerified(&pass.Error{Reason: reason.TooLong})
	}

	m, ok := c.st.Current()
	if !ok {
		return notVerified(&pass.Error{Reason: reason.NoSnapshot})
	}
	v.SnapshotVersion = m.Version
	// A board without an RTC wakes up in 1970: every window check would be
	// wrong, so refuse to judge rather than give a colour not earned.
	if now.Add(c.set.ClockSkew).Before(m.CreatedAt) {
		return notVerified(&pass.Error{Reason: reason.UntrustworthyClock})
	}

	trust := c.trust.get(m)
	switch v.Kind {
	case KindIIN:
		digits, err := pass.ParseIIN(payload)
		if err != nil {
			return notVerified(asPassError(err))
		}
		subject = trust.hasher.IIN(digits)
	case KindPass:
		p, err := pass.Verify(payload, trust.issuers, now, c.set.ClockSkew)
		if err != nil {
			return notVerified(asPassError(err))
		}
		subject = p.Subject
	default:
		return notVerified(&pass.Error{Reason: reason.UnknownFormat})
	}
	v.Subject = subject.Masked()

	entry, found, err := c.st.Lookup(subject)
	if err != nil {
		// A read failure must not turn into blue: say so.
		return notVerified(&pass.Error{Reason: reason.NoSnapshot, Detail: err.Error()})
	}
	v.HasStatus, v.Status = true, wire.Blue
	if found {
		v.Status = entry.StatusAt(now)
		if v.Status != wire.Blue {
			v.StatusUntil = entry.ValidUntil()
		}
	}

	day := c.day(now)
	in := policy.Input{
		Now:         now.In(c.set.Location),
		Direction:   c.set.Direction,
		Status:      v.Status,
		SnapshotAge: now.Sub(m.CreatedAt),
	}
	if c.set.Direction == policy.Entry {
		first, _, inside, err := c.st.Presence(subject, day)
		if err == nil && inside {
			in.FirstEntryAt = first
			v.FirstEntryAt = first
		}
		counters, err := c.st.Counters(day)
		if err == nil {
			in.Inside = counters.Inside
		}
	}
	d := policy.Decide(c.set.Rules, in)
	v.Decision = Deny
	if d.Admit {
		v.Decision = Admit
	}
	v.Reasons = d.Reasons()
	v.Warnings = d.Warn
	return v, subject
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
		At: now, Source: "undo", Kind: PayloadKind(last.Kind), Direction: c.set.Direction,
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
