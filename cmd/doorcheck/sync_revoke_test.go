package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// TestRevokedMidDrainLosesNothing, between real processes: the hub
// revokes a kiosk while its `doorcheck sync` loop is draining a backlog
// (the second upload is held at the proxy until `doorcheck-hub revoke`
// has run). The loop stops by itself and says why; every recorded visit
// is either on the hub or still in the kiosk's outbox — never both,
// never neither.
func TestRevokedMidDrainLosesNothing(t *testing.T) {
	const n = 8000 // 8 batches: two rounds of 4
	h := newTestHub(t)
	h.importIINs(syncIINs(10), func(int) string { return "green" })
	hubCmd := h.serve()
	px := newFaultProxy(t, 1, h.url)
	k := provisionBehind(t, h, px, "foyer", "west")
	ids := recordOffline(t, k.db, false, k.hubKey, k.origin, n)
	px.at(2, "revoke")

	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := proofCommand(ctx, map[string]string{}, "sync", "--config", k.config)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-px.kill:
		h.run("revoke", "--data", h.data, k.origin.kiosk)
		close(o.done)
	case <-time.After(childTimeout):
		cmd.Process.Kill()
		t.Fatalf("no second upload reached the proxy\n%s", stderr.String())
	}
	err := cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("doorcheck sync did not stop after the revocation\n%s", stderr.String())
	}
	r := childResult{args: cmd.Args, stderr: []byte(stderr.String()), code: cmd.ProcessState.ExitCode()}
	noCrashSigns(t, "revoked", r)
	if err == nil || !strings.Contains(stderr.String(), "revoked") {
		t.Fatalf("doorcheck sync after the revocation: %v\n%s", err, r)
	}

	st, err := store.Open(k.db, store.Options{HubKey: k.hubKey})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.Pending(n + 1)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	hubCmd.Process.Signal(os.Interrupt)
	hubCmd.Wait()
	onHub := hubVisits(t, h.data)
	kept := map[visit.ID]bool{}
	both := 0
	for _, v := range pending {
		kept[visit.ID(v.ID)] = true
		if onHub[visit.ID(v.ID)] > 0 {
			both++
		}
	}
	lost := 0
	for _, id := range ids {
		if !kept[visit.ID(id)] && onHub[visit.ID(id)] == 0 {
			lost++
		}
	}
	t.Logf("revoked mid-drain: %d visits on the hub, %d kept on the kiosk", len(onHub), len(kept))
	if len(kept) == 0 || len(onHub) == 0 || lost != 0 || both != 0 || len(onHub)+len(kept) != n {
		t.Fatalf("after the revocation: %d on the hub, %d kept, %d lost, %d in both (recorded %d)", len(onHub), len(kept), lost, both, n)
	}
}
