package main

import (
	"crypto/rand"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/store"
)

// TestOldVisitRecordsUpload: visits as a store wrote them before the
// record was typed (loose strings in its JSON, put into the visit file
// byte for byte) still open and upload to a real hub, counted once.
func TestOldVisitRecordsUpload(t *testing.T) {
	h := newTestHub(t)
	h.importIINs(syncIINs(1), func(int) string { return "green" })
	h.serve()
	code := h.enroll("cinema-9", "north")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kiosk.yaml")
	db := filepath.Join(dir, "doorcheck.db")
	vars := map[string]string{}
	if out, errs, rc := run(t, vars, "", "provision", "--config", cfg, "--code", code, "--store", db); rc != 0 {
		t.Fatalf("provision: %d\n%s%s", rc, out, errs)
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	old := []string{
		`"direction":"entry","kind":"iin","status":"green","verdict":"admit","reasons":[],"subject":"07000000000000000000000000000000"`,
		`"direction":"entry","kind":"unknown","status":"","verdict":"not_verified","reasons":["unknown_format"]`,
		`"direction":"entry","kind":"iin","status":"red","verdict":"deny","reasons":["isolation"],"subject":"08000000000000000000000000000000"`,
	}
	bdb, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		for i, fields := range old {
			at := now.Add(time.Duration(i-len(old)) * time.Second)
			id, err := store.NewVisitID(at, rand.Reader)
			if err != nil {
				return err
			}
			raw := fmt.Sprintf(`{"id":%q,"at":%q,"day":%q,"kiosk":%q,"venue":%q,"door":%q,%s,"snapshot_version":1}`,
				id, at.UTC().Format(time.RFC3339Nano), at.Format(time.DateOnly), c.Kiosk.ID, c.Kiosk.Venue, c.Kiosk.Door, fields)
			if err := tx.Bucket([]byte("visits")).Put(id[:], []byte(raw)); err != nil {
				return err
			}
			if err := tx.Bucket([]byte("outbox")).Put(id[:], nil); err != nil {
				return err
			}
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errs, rc := run(t, vars, "", "sync", "--config", cfg, "--once")
	if rc != 0 || !strings.Contains(out, "uploaded: 3 new, 0 duplicate, 0 refused; 0 pending") {
		t.Fatalf("sync --once of old records: %d\n%s%s", rc, out, errs)
	}
	if n := h.visitsToday("cinema-9"); n != 3 {
		t.Fatalf("hub counts %d visits, want 3", n)
	}
}
