package client

import (
	"fmt"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// recordOf turns a stored visit into the upstream record (sync/visit, wire
// format 1). The store keeps loose strings on disk; the upstream record is
// typed, so an unknown value is an error here, not at the hub.
func recordOf(v store.Visit) (visit.Record, error) {
	r := visit.Record{
		ID: visit.ID(v.ID), At: v.At, Day: v.Day, Kiosk: v.Kiosk, Venue: v.Venue, Door: v.Door,
		Subject: visit.Subject(v.Subject), Reasons: v.Reasons, SnapshotVersion: v.SnapshotVersion,
		Undoes: visit.ID(v.Undoes),
	}
	var err error
	if r.Direction, err = visit.ParseDirection(v.Direction); err != nil {
		return r, fmt.Errorf("visit %s: %w", v.ID, err)
	}
	if err := r.Kind.UnmarshalText([]byte(v.Kind)); err != nil {
		return r, fmt.Errorf("visit %s: %w", v.ID, err)
	}
	if err := r.Decision.UnmarshalText([]byte(v.Verdict)); err != nil {
		return r, fmt.Errorf("visit %s: %w", v.ID, err)
	}
	if v.Status != "" { // no status (not verified) travels as blue, the zero value
		if r.Status, err = wire.ParseStatus(v.Status); err != nil {
			return r, fmt.Errorf("visit %s: %w", v.ID, err)
		}
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("visit %s: %w", v.ID, err)
	}
	return r, nil
}
