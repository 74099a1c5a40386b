package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// storeMode says how a command uses the store.
type storeMode int

const (
	// storeUse opens an existing store to check and record (run, tui,
	// check, undo): it never creates one.
	storeUse storeMode = iota
	// storeRead opens it read-only (stats, snapshot info): nothing is
	// created, migrated or cleaned up, and a read-only file system does.
	storeRead
	// storeProvision creates the store if it is missing (snapshot import,
	// the demo), and replaces a snapshot of another hub key or a damaged
	// snapshot file with the one imported.
	storeProvision
)

// storeOptions are the store options of a kiosk with config cfg, pinned
// to hubKey.
func storeOptions(cfg *config.Config, hubKey ed25519.PublicKey, mode storeMode) store.Options {
	return store.Options{
		Timeout:        2 * time.Second,
		SnapshotPath:   cfg.Store.SnapshotPath,
		HubKey:         hubKey,
		Create:         mode == storeProvision,
		ReadOnly:       mode == storeRead,
		ReplaceForeign: mode == storeProvision,
		ReplaceDamaged: mode == storeProvision,
		Now:            time.Now,
		ClockSkew:      cfg.Policy.ClockSkew.Duration,
	}
}

// openStore opens the kiosk's store. A store the kiosk must not run on is
// one clear line on stderr and exit code exitStore; a damaged snapshot
// file alone is a warning (the kiosk records visits, every check NOT
// VERIFIED) unless the command provisions.
func openStore(e *env, cfg *config.Config, hubKey ed25519.PublicKey, mode storeMode) (*store.Store, error) {
	if mode == storeProvision {
		if err := os.MkdirAll(filepath.Dir(cfg.Store.Path), 0o750); err != nil {
			return nil, fmt.Errorf("create store directory: %w", err)
		}
	}
	st, err := store.Open(cfg.Store.Path, storeOptions(cfg, hubKey, mode))
	if err != nil && mode != storeRead && refusesWrites(err) {
		// A read-only file system or file: the kiosk still runs, and
		// every scan says CANNOT RECORD (read_only) instead of the
		// kiosk not starting at all.
		if ro, roErr := store.Open(cfg.Store.Path, storeOptions(cfg, hubKey, storeRead)); roErr == nil {
			fmt.Fprintf(e.stderr, "doorcheck: warning: %s cannot be written (%s): no visit can be recorded; every scan is CANNOT RECORD\n",
				oneLine(cfg.Store.Path), oneLine(err))
			st, err = ro, nil
		}
	}
	if err != nil {
		return nil, storeRefused(e, cfg, err)
	}
	if problem := st.SnapshotProblem(); problem != nil && mode != storeProvision {
		fmt.Fprintf(e.stderr, "doorcheck: warning: %s: no snapshot, every check is NOT VERIFIED; delete %s and run `doorcheck snapshot import FILE` (visits are kept in %s, which is fine)\n",
			oneLine(problem), oneLine(st.SnapshotPath()), oneLine(st.Path()))
	}
	return st, nil
}

// storeRefused turns the store errors a kiosk must not run past into one
// line saying which file, what is wrong and what to do, and exitStore.
// Other errors (a second process holding the lock, permissions) go back
// as they are.
func storeRefused(e *env, cfg *config.Config, err error) error {
	var msg string
	switch {
	case errors.Is(err, store.ErrNotFound):
		msg = fmt.Sprintf("no store at %s: this kiosk is not provisioned (run and check never start an empty visit log); create it with `doorcheck snapshot import --config FILE SNAPSHOT`, or restore the file from a backup",
			oneLine(cfg.Store.Path))
	case errors.Is(err, store.ErrHubKeyMismatch):
		msg = oneLine(err.Error())
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrStoreGone):
		msg = fmt.Sprintf("the visit file is unusable: %s. The kiosk cannot record visits and will not run: keep %s for recovery (copy it aside, do not delete it) and restore it from a backup",
			oneLine(err.Error()), oneLine(cfg.Store.Path))
	default:
		return err
	}
	fmt.Fprintf(e.stderr, "doorcheck: %s\n", msg)
	return exitError{exitStore}
}

// refusesWrites reports whether opening for writing failed because the
// file or its file system refuses writes.
func refusesWrites(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}

// oneLine escapes s for one line of a terminal or log.
func oneLine(s any) string { return sanitize.EscapeLimit(fmt.Sprint(s), 2048) }
