package kiosk

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Override is the decision of an admin who admits a denied visitor
// anyway (a paper test certificate, staff, emergency services). It is a
// visit of its own, after the deny it overrides, so the deny still counts
// as a denial and the override counts apart.
const Override Decision = "override"

// OverrideReason is why the admin admitted the visitor anyway: one of the
// config's ui.override_reasons codes ("paper_test", "staff", …).
type OverrideReason string

var overrideReasonRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Valid reports whether r is a well-formed reason code.
func (r OverrideReason) Valid() bool { return overrideReasonRe.MatchString(string(r)) }

// ErrNotOverridable means the verdict cannot be overridden: it is not a
// deny of this kiosk, or no longer the last decision (another scan, an
// undo or an override came since), or older than the undo window — an
// override is for the visitor standing at the door now.
var ErrNotOverridable = errors.New("cannot override this decision")

// Override admits the visitor of denied anyway, for why, and records the
// override durably before returning, as Check does for every verdict. The
// caller has checked the admin PIN. The override carries the deny's
// subject (so presence and re-entry see the visitor inside), status and
// reasons; its visit record holds why.
func (c *Checker) Override(ctx context.Context, denied Verdict, why OverrideReason) (Verdict, error) {
	if err := ctx.Err(); err != nil {
		return Verdict{}, err
	}
	if !why.Valid() {
		return Verdict{}, fmt.Errorf("override: reason %q: want 1 to 32 of a-z, 0-9 and _", why)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.set.DryRun {
		return Verdict{}, fmt.Errorf("%w: a dry run records nothing", ErrNotOverridable)
	}
	recent, err := c.st.Recent(1)
	if err != nil {
		return Verdict{}, fmt.Errorf("override: read last visit: %w", err)
	}
	if denied.Decision != Deny || !denied.Recorded || len(recent) == 0 {
		return Verdict{}, ErrNotOverridable
	}
	last := recent[0]
	age := now.Sub(last.At)
	switch {
	case last.ID.String() != denied.VisitID:
		return Verdict{}, fmt.Errorf("%w: it is no longer the last decision", ErrNotOverridable)
	case last.Verdict != store.VerdictDeny || last.Kiosk != c.set.Kiosk:
		return Verdict{}, ErrNotOverridable
	case age < 0 || age > c.set.UndoWindow:
		return Verdict{}, fmt.Errorf("%w: the deny is older than the undo window", ErrNotOverridable)
	}
	v := Verdict{
		At: now, Source: "override", Kind: payloadKindOf(last.Kind), Direction: c.set.Direction,
		Decision: Override, SnapshotVersion: last.SnapshotVersion,
		HasStatus: denied.HasStatus, Status: denied.Status, StatusUntil: denied.StatusUntil,
		Reasons: denied.Reasons, Subject: denied.Subject, IINLast4: denied.IINLast4,
	}
	visit, err := c.visitOf(&v, wire.SubjectKey(last.Subject))
	if err != nil {
		return v, fmt.Errorf("override: %w: %w", ErrCannotRecord, err)
	}
	visit.OverrideReason = string(why)
	if _, err := c.st.Record(ctx, visit); err != nil {
		return v, fmt.Errorf("override: %w: %w", ErrCannotRecord, err)
	}
	v.VisitID, v.Recorded = visit.ID.String(), true
	c.debounce.forget() // the same pass again is a new scan, not this override's repeat
	return v, nil
}
