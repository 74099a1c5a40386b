package client

import (
	"fmt"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// recordOf turns a stored visit into the upstream record (sync/visit, wire
// format 1). The store's visit already carries sync/visit's typed
// direction, kind and decision; only the status, which the store keeps as
// a colour name or "" for none, is parsed. Validate refuses here what the
// hub would refuse.
func recordOf(v store.Visit) (visit.Record, error) {
	r := visit.Record{
		ID: visit.ID(v.ID), At: v.At, Day: v.Day, Kiosk: v.Kiosk, Venue: v.Venue, Door: v.Door,
		Direction: v.Direction, Kind: v.Kind, Decision: v.Verdict,
		Subject: visit.Subject(v.Subject), Reasons: v.Reasons, SnapshotVersion: v.SnapshotVersion,
		Undoes: visit.ID(v.Undoes),
	}
	if v.Status != "" { // no status (not verified) travels as blue, the zero value
		var err error
		if r.Status, err = wire.ParseStatus(v.Status); err != nil {
			return r, fmt.Errorf("visit %s: %w", v.ID, err)
		}
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("visit %s: %w", v.ID, err)
	}
	return r, nil
}
