package kiosk

import (
	"fmt"

	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// visitOf turns a verdict into the visit record the store keeps, with
// sync/visit's typed direction, kind and decision: the record crosses
// into the store and the sync client typed, never as words to compare.
func (c *Checker) visitOf(v *Verdict, subject wire.SubjectKey) (store.Visit, error) {
	decision, ok := visitDecisions[v.Decision]
	if !ok {
		return store.Visit{}, fmt.Errorf("a %q verdict is not a visit", v.Decision)
	}
	id, err := c.ids.next(v.At, c.rand)
	if err != nil {
		return store.Visit{}, err
	}
	return store.Visit{
		ID:              id,
		At:              v.At,
		Day:             c.day(v.At),
		Kiosk:           c.set.Kiosk,
		Venue:           c.set.Venue,
		Door:            c.set.Door,
		Direction:       visitDirection(v.Direction),
		Subject:         subject,
		Kind:            v.Kind.visitKind(),
		Status:          v.StatusName(),
		Verdict:         decision,
		Reasons:         v.Reasons,
		SnapshotVersion: v.SnapshotVersion,
	}, nil
}

// visitDecisions are the screen's decisions that are recorded as visits
// (CannotRecord is exactly the one that is not).
var visitDecisions = map[Decision]visit.Decision{
	Admit: visit.Admit, Deny: visit.Deny, NotVerified: visit.NotVerified, Undone: visit.Undo, Override: visit.Override,
}

// visitKinds pairs the checker's payload kinds with the record's.
var visitKinds = map[PayloadKind]visit.PayloadKind{
	KindIIN: visit.KindIIN, KindPass: visit.KindPass, KindDCC: visit.KindDCC, KindUnknown: visit.KindUnknown,
}

// visitKind is k as a visit record carries it; anything unlisted is unknown.
func (k PayloadKind) visitKind() visit.PayloadKind {
	if vk, ok := visitKinds[k]; ok {
		return vk
	}
	return visit.KindUnknown
}

// payloadKindOf is the checker's kind of a recorded visit, for an undo or
// override that repeats it.
func payloadKindOf(vk visit.PayloadKind) PayloadKind {
	for k, v := range visitKinds {
		if v == vk {
			return k
		}
	}
	return KindUnknown
}

// visitDirection is the door's direction as a visit record carries it.
func visitDirection(d policy.Direction) visit.Direction {
	if d == policy.Exit {
		return visit.Exit
	}
	return visit.Entry
}
