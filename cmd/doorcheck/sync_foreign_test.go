package main

import (
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// TestForeignDoorRefusedAndKept, between real processes: visits a kiosk
// holds for another door of its venue (a config edited after enrollment)
// are refused by the hub, per visit, while the kiosk's own go through in
// the same batch; the refused ones stay in the outbox (nothing is
// deleted) and never reach the hub's records or report.
func TestForeignDoorRefusedAndKept(t *testing.T) {
	h := newTestHub(t)
	h.importIINs(syncIINs(10), func(int) string { return "green" })
	hubCmd := h.serve()
	px := newFaultProxy(t, 1, h.url)
	k := provisionBehind(t, h, px, "depot", "dock-1")
	own := recordOffline(t, k.db, false, k.hubKey, k.origin, 5)
	other := k.origin
	other.door = "dock-2"
	foreign := recordOffline(t, k.db, false, k.hubKey, other, 2)

	vars := map[string]string{}
	for i := range 2 { // a second process sends the refused ones again: refused again
		r := runChild(t, vars, nil, "sync", "--config", k.config, "--once")
		noCrash(t, "sync", r)
		want := "uploaded: 5 new, 0 duplicate, 2 refused; 2 pending"
		if i == 1 {
			want = "uploaded: 0 new, 0 duplicate, 2 refused; 2 pending"
		}
		if !strings.Contains(string(r.stdout), want) {
			t.Fatalf("sync %d: want %q\n%s", i+1, want, r)
		}
		if !strings.Contains(string(r.stderr), "wrong_door") {
			t.Errorf("sync %d does not say why the visits were refused\n%s", i+1, r)
		}
	}

	st, err := store.Open(k.db, store.Options{HubKey: k.hubKey})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.Pending(10)
	st.Close()
	if err != nil || len(pending) != 2 {
		t.Fatalf("outbox after the refusals: %v, %d visits, want the 2 foreign ones", err, len(pending))
	}
	for _, v := range pending {
		if v.ID != foreign[0] && v.ID != foreign[1] {
			t.Fatalf("outbox keeps %s, not one of the foreign visits", v.ID)
		}
	}
	hubCmd.Process.Kill()
	hubCmd.Wait()
	onHub := hubVisits(t, h.data)
	for _, id := range own {
		if onHub[visit.ID(id)] != 1 {
			t.Errorf("own visit %s stored %d times", id, onHub[visit.ID(id)])
		}
	}
	for _, id := range foreign {
		if onHub[visit.ID(id)] != 0 {
			t.Errorf("foreign visit %s stored on the hub", id)
		}
	}
	if n := h.visitsToday("depot"); n != 5 {
		t.Errorf("the report counts %d visits, want 5", n)
	}
}
