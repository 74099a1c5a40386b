package main

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/snapgen"
)

// record checks one payload on the doctor kiosk, which records a visit.
func (k *doctorKiosk) record(t *testing.T, payload string) {
	t.Helper()
	if _, errOut, code := run(t, nil, "", "check", "--config", k.cfg, payload); code != exitOK && code != exitNotAdmit {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
}

// ackAll acknowledges every pending visit as an upload would, at at.
func (k *doctorKiosk) ackAll(t *testing.T, at time.Time) {
	t.Helper()
	st, err := store.Open(k.db, store.Options{HubKey: snapgen.KeysFor(3).Hub.Public().(ed25519.PublicKey), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs, err := st.Pending(100)
	if err != nil || len(vs) == 0 {
		t.Fatalf("pending %d, %v", len(vs), err)
	}
	for _, v := range vs {
		if err := st.Ack(v.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDoctorPendingUploads: doctor says how many visits wait and when an
// upload last succeeded — read from the store, so it holds for a kiosk
// that is not running — and warns when visits wait and nothing has been
// uploaded for over an hour; with no hub configured it only counts.
func TestDoctorPendingUploads(t *testing.T) {
	t.Run("none pending, never uploaded", func(t *testing.T) {
		k := newDoctorKiosk(t)
		k.withHub(t, fakeHub(t, false, 0).URL)
		checks, _, _ := k.doctor(t)
		want(t, checks, "store.pending", statusOK, "pending uploads 0, last successful upload never")
	})
	t.Run("uploaded, one pending since", func(t *testing.T) {
		k := newDoctorKiosk(t)
		k.withHub(t, fakeHub(t, false, 0).URL)
		k.record(t, "000000000001")
		acked := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
		k.ackAll(t, acked)
		k.record(t, "000000000002")
		checks, code, out := k.doctor(t)
		if code != exitOK {
			t.Errorf("exit %d:\n%s", code, out)
		}
		want(t, checks, "store.pending", statusOK, "pending uploads 1, last successful upload "+acked.UTC().Format(time.RFC3339), "10m")
	})
	t.Run("nothing uploaded for hours", func(t *testing.T) {
		k := newDoctorKiosk(t)
		// Doctor runs three hours later; the hub's clock agrees.
		k.withHub(t, fakeHub(t, false, 3*time.Hour).URL)
		k.record(t, "000000000001")
		k.ackAll(t, time.Now())
		k.record(t, "000000000002")
		k.record(t, "000000000003")
		k.deps.now = func() time.Time { return time.Now().Add(3 * time.Hour) }
		checks, code, out := k.doctor(t)
		if code != exitOK {
			t.Errorf("a warning must not fail doctor: exit %d:\n%s", code, out)
		}
		want(t, checks, "store.pending", statusWarn, "pending uploads 2, last successful upload", "3h0m", "nothing uploaded for 3h0m", "doorcheck sync --once")
	})
	t.Run("never uploaded, overdue", func(t *testing.T) {
		k := newDoctorKiosk(t)
		k.withHub(t, fakeHub(t, false, 50*time.Hour).URL)
		k.record(t, "000000000001")
		k.deps.now = func() time.Time { return time.Now().Add(50 * time.Hour) }
		checks, _, _ := k.doctor(t)
		want(t, checks, "store.pending", statusWarn, "pending uploads 1, last successful upload never", "overdue")
	})
	t.Run("no hub", func(t *testing.T) {
		k := newDoctorKiosk(t)
		k.record(t, "000000000001")
		k.deps.now = func() time.Time { return time.Now().Add(3 * time.Hour) }
		checks, _, _ := k.doctor(t)
		want(t, checks, "store.pending", statusOK, "pending uploads 1", "no hub configured")
	})
}
