package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/client"
)

// checkStore opens the store read-only, as `stats` does, and reports the
// snapshot (key, version, age against the policy), the files' integrity
// and the visits waiting for upload. A running kiosk holds the store's
// lock; doctor then says so instead of waiting for it.
func checkStore(cfg *config.Config, d doctorDeps) []checkResult {
	key, err := cfg.HubKey()
	if err != nil {
		return nil // the config check has said why
	}
	opt := storeOptions(cfg, key, storeRead)
	opt.Timeout = time.Second
	opt.Now = d.now
	st, err := store.Open(cfg.Store.Path, opt)
	if err != nil {
		r := checkResult{Name: "store", Status: statusFail, Detail: err.Error()}
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			r.Status = statusWarn
			r.Detail = cfg.Store.Path + " is open by the running kiosk: snapshot, integrity and upload checks need it closed"
			r.Fix = "systemctl stop doorcheck (or doorcheck-headless), run doctor again, then start it"
		case errors.Is(err, store.ErrNotFound):
			r.Detail = "no store at " + cfg.Store.Path + ": this kiosk is not provisioned"
			r.Fix = "doorcheck provision --scan (or --code CODE), or doorcheck snapshot import --config FILE SNAPSHOT"
		case errors.Is(err, store.ErrHubKeyMismatch):
			r.Name = "snapshot"
			r.Fix = "the stored snapshot is another hub's: doorcheck sync --once (or snapshot import) fetches this hub's and replaces it"
		case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrStoreGone):
			r.Name = "store.integrity"
			r.Fix = "stop the kiosk, copy the damaged file aside (never delete it: it holds unsent visits), restore from backup or provision again; docs/storage.md"
		default:
			r.Fix = "check the store path and its permissions (the kiosk user needs rw on " + cfg.Store.Path + ")"
		}
		return []checkResult{r}
	}
	out := []checkResult{checkSnapshot(cfg, st, d)}
	integrity := checkResult{Name: "store.integrity", Status: statusOK, Detail: "visit log passed bbolt's consistency check"}
	if p := st.SnapshotProblem(); p != nil {
		integrity = checkResult{Name: "store.integrity", Status: statusFail, Detail: "snapshot file: " + p.Error(),
			Fix: "doorcheck sync --once or snapshot import replaces a damaged snapshot file (it is kept aside as .damaged); visits are unaffected"}
	}
	out = append(out, checkPending(cfg, st, d))
	snap := st.SnapshotPath()
	hasSnap := st.SnapshotProblem() == nil
	st.Close()
	if integrity.Status == statusOK && hasSnap && fileExists(snap) {
		if err := boltCheck(snap); err != nil {
			integrity = checkResult{Name: "store.integrity", Status: statusFail, Detail: "snapshot file " + snap + ": " + err.Error(),
				Fix: "doorcheck snapshot import --config FILE SNAPSHOT (or sync --once) replaces a damaged snapshot file; visits are unaffected"}
		} else {
			integrity.Detail = "visit log and snapshot file passed bbolt's consistency check"
		}
	}
	return append(out, integrity)
}

// boltCheck runs bbolt's consistency check over a whole file. The store
// has read its meta pages first (a file shorter than they say would fault
// the mapping), so only a file that opened is walked.
func boltCheck(path string) error {
	db, err := bolt.Open(path, 0, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		// Drain the channel: its goroutine holds the transaction.
		for err := range tx.Check() {
			if len(errs) < 5 {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}

// checkSnapshot reports the snapshot's key, version and age against
// policy.max_age (stale) and policy.max_data_age (refused).
func checkSnapshot(cfg *config.Config, st *store.Store, d doctorDeps) checkResult {
	info, err := st.Info()
	if err != nil {
		return checkResult{Name: "snapshot", Status: statusFail, Detail: err.Error(), Fix: "doorcheck sync --once"}
	}
	if info.Version == 0 {
		return checkResult{Name: "snapshot", Status: statusFail, Detail: "no snapshot: every check is NOT VERIFIED",
			Fix: "doorcheck sync --once fetches one from the hub (or doorcheck snapshot import FILE)"}
	}
	age := d.now().Sub(info.CreatedAt)
	detail := fmt.Sprintf("version %d, %d subjects, signed by hub key %s (verified at import, pinned in the config), created %s (%s ago)",
		info.Version, info.Entries, info.HubKeyID, info.CreatedAt.UTC().Format(time.RFC3339), age.Round(time.Minute))
	fix := "doorcheck sync --once; if it fails, see the hub checks below"
	switch {
	case age > cfg.Policy.MaxDataAge.Duration:
		return checkResult{Name: "snapshot", Status: statusFail, Detail: detail + "; older than policy.max_data_age " + cfg.Policy.MaxDataAge.String() + ": entries are NOT VERIFIED data_too_old", Fix: fix}
	case cfg.Policy.MaxAge.Duration > 0 && age > cfg.Policy.MaxAge.Duration:
		s := statusWarn
		if cfg.Policy.Stale == "deny" {
			s = statusFail
		}
		return checkResult{Name: "snapshot", Status: s, Detail: detail + "; stale (older than policy.max_age " + cfg.Policy.MaxAge.String() + ", stale: " + cfg.Policy.Stale + ")", Fix: fix}
	case age < -cfg.Policy.ClockSkew.Duration:
		return checkResult{Name: "snapshot", Status: statusFail, Detail: detail + "; created in this kiosk's future", Fix: "the kiosk's clock is behind: see clock checks"}
	}
	return checkResult{Name: "snapshot", Status: statusOK, Detail: detail}
}

// uploadStaleAfter is how long visits may wait with no successful
// upload before doctor warns. A running kiosk uploads within seconds
// (client.DefaultUploadEvery); an hour is a link that is down, not slow.
const uploadStaleAfter = time.Hour

// checkPending reports the visits not yet uploaded and the time of the
// last successful upload, which the store keeps (meta/last_ack, written
// with each acknowledgement), so a stopped kiosk still says how long its
// uploads have been failing. Visits waiting while no upload has worked
// for uploadStaleAfter are a warning; with no hub configured they are
// only counted.
func checkPending(cfg *config.Config, st *store.Store, d doctorDeps) checkResult {
	n, err := st.PendingCount()
	if err != nil {
		return checkResult{Name: "store.pending", Status: statusFail, Detail: err.Error(), Fix: "see store.integrity"}
	}
	now := d.now()
	last, err := st.LastAck()
	if err != nil {
		return checkResult{Name: "store.pending", Status: statusFail, Detail: err.Error(), Fix: "see store.integrity"}
	}
	lastText := "never"
	if !last.IsZero() {
		lastText = fmt.Sprintf("%s (%s ago)", last.UTC().Format(time.RFC3339), now.Sub(last).Round(time.Second))
	}
	detail := fmt.Sprintf("pending uploads %d, last successful upload %s", n, lastText)
	if n == 0 {
		return checkResult{Name: "store.pending", Status: statusOK, Detail: detail}
	}
	oldest, err := st.Pending(1)
	if err != nil || len(oldest) == 0 {
		return checkResult{Name: "store.pending", Status: statusWarn, Detail: detail}
	}
	age := now.Sub(oldest[0].At)
	detail += fmt.Sprintf("; the oldest pending visit recorded %s (%s ago)", oldest[0].At.UTC().Format(time.RFC3339), age.Round(time.Second))
	if cfg.Hub.URL == "" {
		return checkResult{Name: "store.pending", Status: statusOK, Detail: detail + "; no hub configured (hub.url): visits stay in this store"}
	}
	// Uploads have not worked since the later of the last success and the
	// oldest visit still waiting (a visit recorded after the last upload
	// has only been waiting since it was recorded).
	since := oldest[0].At
	if last.After(since) {
		since = last
	}
	switch failing := now.Sub(since); {
	case failing > client.UploadOverdueAfter:
		return checkResult{Name: "store.pending", Status: statusWarn, Detail: detail,
			Fix: "uploads are overdue (venues are suspended after three days): doorcheck sync --once says why; see the hub checks"}
	case failing > uploadStaleAfter:
		return checkResult{Name: "store.pending", Status: statusWarn, Detail: detail + fmt.Sprintf("; nothing uploaded for %s", failing.Round(time.Minute)),
			Fix: "uploads are not getting through: doorcheck sync --once --config FILE says why; see the hub checks (is the kiosk service running?)"}
	}
	return checkResult{Name: "store.pending", Status: statusOK, Detail: detail}
}

// storeFileSize is a file's size, 0 when it does not exist.
func storeFileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
