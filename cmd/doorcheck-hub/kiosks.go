package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
)

// runKiosks lists the fleet.
func runKiosks(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "kiosks")
	data := fs.String("data", "", "hub data `directory` (required)")
	sf := addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "one JSON object with a kiosks list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, _, _, err := openData(*data)
	if err != nil {
		return err
	}
	st, err := openHubStore(ctx, sf, d, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	ks, err := st.Kiosks(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			Kiosk           string    `json:"kiosk"`
			Venue           string    `json:"venue"`
			Door            string    `json:"door"`
			Direction       string    `json:"direction"`
			Device          string    `json:"device,omitempty"`
			EnrolledAt      time.Time `json:"enrolled_at"`
			RevokedAt       time.Time `json:"revoked_at,omitzero"`
			LastContact     time.Time `json:"last_contact,omitzero"`
			SnapshotVersion uint64    `json:"snapshot_version"`
			Backlog         uint64    `json:"backlog"`
		}
		out := struct {
			Kiosks []row `json:"kiosks"`
		}{Kiosks: []row{}}
		for _, k := range ks {
			out.Kiosks = append(out.Kiosks, row{k.ID, k.Venue, k.Door, k.Direction.String(), k.Device, k.EnrolledAt, k.RevokedAt, k.LastContact, k.SnapshotVersion, k.Backlog})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIOSK\tVENUE\tDOOR\tDIRECTION\tENROLLED\tLAST CONTACT\tSNAPSHOT\tBACKLOG\tSTATE")
	for _, k := range ks {
		state := "active"
		if k.Revoked() {
			state = "revoked " + k.RevokedAt.Format(time.RFC3339)
		}
		last := "never"
		if !k.LastContact.IsZero() {
			last = k.LastContact.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", k.ID, k.Venue, k.Door, k.Direction, k.EnrolledAt.Format(time.RFC3339), last, k.SnapshotVersion, k.Backlog, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d kiosks\n", len(ks))
	return nil
}

// runRevoke revokes one kiosk: its next request is answered kiosk_revoked.
func runRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "revoke")
	data := fs.String("data", "", "hub data `directory` (required)")
	sf := addStoreFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one KIOSK id")
	}
	d, _, _, err := openData(*data)
	if err != nil {
		return err
	}
	st, err := openHubStore(ctx, sf, d, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	k, err := st.RevokeKiosk(ctx, fs.Arg(0), e.now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "kiosk %s (venue %s, door %s) revoked at %s: its next request is refused; it keeps its unsent records\n", k.ID, k.Venue, k.Door, k.RevokedAt.Format(time.RFC3339))
	return nil
}
