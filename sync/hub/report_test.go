package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func TestReport(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	// Three venues in the fleet: cinema scans every day, cafe stopped two
	// days ago, gym never scanned.
	for i, v := range []string{"cinema", "cafe", "gym"} {
		tok := []byte(v)
		if err := st.CreateEnrollment(ctx, hub.Enrollment{Token: hub.HashToken(tok), Venue: v, Door: "main", Direction: visit.Entry, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RedeemEnrollment(ctx, hub.HashToken(tok), hub.Kiosk{ID: fmt.Sprintf("k-%d", i), EnrolledAt: t0.AddDate(0, 0, -30)}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	mk := func(venue, door string, at time.Time, subject byte, dir visit.Direction, dec visit.Decision, status wire.Status, reasons ...reason.Code) visit.Record {
		n++
		var id visit.ID
		id[0], id[1], id[15] = byte(n>>8), byte(n), 1
		r := visit.Record{ID: id, At: at, Day: at.Format(time.DateOnly), Kiosk: "k", Venue: venue, Door: door, Direction: dir,
			Kind: visit.KindIIN, Status: status, Decision: dec, Reasons: reasons}
		if subject != 0 {
			r.Subject = visit.Subject{subject}
		}
		return r
	}
	var vs []visit.Record
	for d := 0; d < 7; d++ {
		at := t0.AddDate(0, 0, -d)
		vs = append(vs, mk("cinema", "main", at, 100+byte(d), visit.Entry, visit.Admit, wire.Green))
		if d >= 2 {
			vs = append(vs, mk("cafe", "main", at, 50, visit.Entry, visit.Admit, wire.Blue))
		}
	}
	undone := mk("cinema", "main", t0.Add(time.Minute), 1, visit.Entry, visit.Admit, wire.Green)
	vs = append(vs,
		mk("cinema", "main", t0.Add(2*time.Minute), 2, visit.Entry, visit.Deny, wire.Red, reason.Isolation),
		mk("cinema", "main", t0.Add(3*time.Minute), 2, visit.Entry, visit.Deny, wire.Red, reason.Isolation),
		mk("cinema", "main", t0.Add(4*time.Minute), 3, visit.Entry, visit.Deny, wire.Yellow, reason.Contact),
		mk("cinema", "main", t0.Add(5*time.Minute), 0, visit.Entry, visit.NotVerified, wire.Blue, reason.BadChecksum),
		mk("cinema", "main", t0.Add(6*time.Minute), 4, visit.Exit, visit.Admit, wire.Green),
		mk("cinema", "side", t0.Add(7*time.Minute), 5, visit.Entry, visit.Override, wire.Blue),
		undone,
	)
	undo := mk("cinema", "main", t0.Add(8*time.Minute), 0, visit.Entry, visit.Undo, wire.Blue)
	undo.Undoes = undone.ID
	// Subject 100 entered cinema at main (today's first visit); again at
	// side without an exit: a conflict.
	vs = append(vs, undo, mk("cinema", "side", t0.Add(9*time.Minute), 100, visit.Entry, visit.Admit, wire.Green))
	if _, err := st.IngestVisits(ctx, "k", vs); err != nil {
		t.Fatal(err)
	}

	rep, err := hub.BuildReport(ctx, st, "2026-12-10")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Days) != 1 || rep.Days[0].Venue != "cinema" {
		t.Fatalf("days: %+v", rep.Days)
	}
	c := rep.Days[0]
	// entries: the day's green, the override, the conflicting one (the
	// undone entry does not count); exits: 1.
	if c.Entries != 3 || c.Exits != 1 || c.Denied != 3 || c.NotVerified != 1 || c.Overrides != 1 || c.Undos != 1 || c.Conflicts != 1 {
		t.Fatalf("cinema counts: %+v", c)
	}
	if c.DeniedByStatus["red"] != 2 || c.DeniedByStatus["yellow"] != 1 || c.DeniedByReason[reason.Isolation] != 2 || c.DeniedByReason[reason.Contact] != 1 {
		t.Fatalf("breakdowns: %+v %+v", c.DeniedByStatus, c.DeniedByReason)
	}
	if c.RedAttempts != 2 || c.RedSubjects != 1 || c.YellowAttempts != 1 || c.YellowSubjects != 1 {
		t.Fatalf("red/yellow: %+v", c)
	}
	if fmt.Sprint(rep.Idle) != "[{gym 7 suspend} {cafe 2 warning}]" {
		t.Fatalf("idle: %v", rep.Idle)
	}
	if rep.Leaders[0].Venue != "cinema" || rep.Outsiders[0].Venue != "gym" || rep.Leaders[0].DaysWithScans != 7 {
		t.Fatalf("leaders %+v outsiders %+v", rep.Leaders, rep.Outsiders)
	}
	if len(rep.Conflicts) != 1 || rep.Conflicts[0].Door != "side" {
		t.Fatalf("conflicts: %+v", rep.Conflicts)
	}
	b, _ := json.Marshal(rep)
	for _, f := range []string{`"days":[{"venue":"cinema","day":"2026-12-10","entries":3,"exits":1,"denied":3,"not_verified":1,"overrides":1,"undos":1,`, `"denied_by_status":{`, `"denied_by_reason":{`, `"leaders":[`, `"outsiders":[`, `"conflicts":[`, `"idle":[`} {
		if !strings.Contains(string(b), f) {
			t.Errorf("JSON lacks %s:\n%s", f, b)
		}
	}
	// Two days later the cafe is suspended.
	rep, _ = hub.BuildReport(ctx, st, "2026-12-11")
	if fmt.Sprint(rep.Idle) != "[{gym 7 suspend} {cafe 3 suspend}]" {
		t.Fatalf("idle a day later: %v", rep.Idle)
	}
	if _, err := hub.BuildReport(ctx, st, "10.12.2026"); err == nil {
		t.Fatal("bad day accepted")
	}
}
