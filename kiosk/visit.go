package kiosk

import (
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// visitOf turns a verdict into the visit record the store keeps.
func (c *Checker) visitOf(v *Verdict, subject wire.SubjectKey) (store.Visit, error) {
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
		Direction:       v.Direction.String(),
		Subject:         subject,
		Kind:            string(v.Kind),
		Status:          v.StatusName(),
		Verdict:         string(v.Decision),
		Reasons:         v.Reasons,
		SnapshotVersion: v.SnapshotVersion,
	}, nil
}
