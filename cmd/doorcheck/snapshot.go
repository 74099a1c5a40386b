package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/snapgen"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func runSnapshot(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "snapshot", []subcommand{
		{"gen", "--subjects N --out FILE: write a generated snapshot and its hub key", runSnapshotGen},
		{"import", "FILE: verify and import a full or delta snapshot", runSnapshotImport},
		{"info", "the current snapshot's version, age, size, stale or fresh", runSnapshotInfo},
	}, args)
}

// runSnapshotGen writes a reproducible generated snapshot, and the hub key
// that verifies it beside it (FILE.hubkey), for tests and benchmarks.
func runSnapshotGen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "snapshot gen")
	subjects := fs.Int("subjects", 1000, "number of listed subjects")
	out := fs.String("out", "", "output snapshot `file` (required)")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same bytes")
	deltaOut := fs.String("delta-out", "", "also write a delta to the next version into this `file`")
	deltaPct := fs.Float64("delta-percent", 1, "percent of entries the delta changes")
	iins := fs.Int("iins", 0, "print the first N generated IINs, to try with check")
	created := fs.String("created", "", "creation `time` (RFC 3339, or \"now\"); default 2026-11-01T00:00:00Z, so the same seed gives the same bytes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || *subjects < 0 {
		return usagef("--out FILE is required and --subjects must be >= 0")
	}
	var createdAt time.Time
	switch *created {
	case "":
	case "now":
		createdAt = time.Now().UTC().Truncate(time.Second)
	default:
		t, err := time.Parse(time.RFC3339, *created)
		if err != nil {
			return usagef("--created: %v", err)
		}
		createdAt = t
	}
	start := time.Now()
	snap := snapgen.Generate(snapgen.Options{Subjects: *subjects, Seed: *seed, CreatedAt: createdAt})
	if err := writeFileAtomic(*out, snap.WriteFull); err != nil {
		return err
	}
	pub := snap.Keys.Hub.Public().(ed25519.PublicKey)
	keyText := base64.StdEncoding.EncodeToString(pub)
	if err := os.WriteFile(*out+".hubkey", []byte(keyText+"\n"), 0o644); err != nil {
		return fmt.Errorf("write hub key: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: version %d, %d entries, in %s\n", *out, snap.Manifest.Version, len(snap.Entries), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "hub key %s (id %s) in %s.hubkey\n", keyText, wire.KeyIDOf(pub), *out)
	if *deltaOut != "" {
		next, changes := snap.Delta(*deltaPct, *seed+1)
		err := writeFileAtomic(*deltaOut, func(w io.Writer) error {
			return next.WriteDelta(w, snap.Manifest.Version, changes)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s: delta %d→%d, %d changes\n", *deltaOut, snap.Manifest.Version, next.Manifest.Version, len(changes))
	}
	for i := range *iins {
		fmt.Fprintln(e.stdout, snapgen.IIN(*seed, i))
	}
	return nil
}

// writeFileAtomic writes path through a temporary file and a rename, so a
// reader never sees half a snapshot.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// runSnapshotImport verifies and imports a full or delta snapshot file
// into the kiosk's store, with a progress bar on a terminal.
func runSnapshotImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "snapshot import")
	var kf kioskFlags
	kf.register(fs)
	hubKeyFlag := fs.String("hub-key", "", "pinned hub key: base64, or @FILE (default: the config's)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one snapshot FILE")
	}
	cfg, hubKey, err := loadConfig(e, kf)
	if err != nil {
		return err
	}
	if *hubKeyFlag != "" {
		if hubKey, err = parseHubKey(*hubKeyFlag); err != nil {
			return err
		}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	r, err := wire.Open(f, hubKey)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", fs.Arg(0), err)
	}
	// Import provisions: it creates a missing store, and the snapshot it
	// brings replaces one signed by another hub key or a damaged
	// snapshot file.
	st, err := openStore(e, cfg, hubKey, storeProvision)
	if err != nil {
		return err
	}
	defer st.Close()

	bar := newProgressBar(e.stderr, *quiet, r.Manifest.Records, uint64(info.Size()))
	start := time.Now()
	err = st.Import(ctx, r, bar.update)
	bar.done(err == nil)
	if errors.Is(err, store.ErrSameVersion) {
		fmt.Fprintf(e.stdout, "snapshot version %d is already current\n", r.Manifest.Version)
		return nil
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.stdout, "imported %s snapshot version %d (%d records) in %s\n",
		sanitize.Escape(string(r.Manifest.Kind)), r.Manifest.Version, r.Manifest.Records, time.Since(start).Round(time.Millisecond))
	return nil
}

func parseHubKey(s string) (ed25519.PublicKey, error) {
	if len(s) > 0 && s[0] == '@' {
		b, err := os.ReadFile(s[1:])
		if err != nil {
			return nil, fmt.Errorf("read hub key: %w", err)
		}
		s = string(b)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, usagef("hub key must be %d bytes of base64", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// runSnapshotInfo prints the current snapshot's version, age and size.
func runSnapshotInfo(ctx context.Context, e *env, args []string) error {
	k, err := openReadOnlyWithFlags(ctx, e, "snapshot info", args)
	if err != nil {
		return err
	}
	defer k.Close()
	s := k.checker.Snapshot()
	if !s.Present {
		fmt.Fprintln(e.stdout, "no snapshot imported: every check says no_snapshot")
		return exitError{exitFailure}
	}
	info, err := k.store.Info()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "version     %d\n", s.Version)
	// Manifest text is signed, not trusted: a hub (or its stolen key) must
	// not be able to drive the terminal.
	fmt.Fprintf(e.stdout, "deployment  %s\n", sanitize.Escape(s.Deployment))
	fmt.Fprintf(e.stdout, "created     %s (%s ago)\n", s.CreatedAt.Local().Format(time.RFC3339), roundDuration(s.Age))
	fmt.Fprintf(e.stdout, "entries     %d\n", s.Entries)
	fmt.Fprintf(e.stdout, "issuers     %d\n", info.Issuers)
	fmt.Fprintf(e.stdout, "imported    %s\n", info.ImportedAt.Local().Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "store file  %s (%.1f MB: visits)\n", sanitize.Escape(info.LogPath), float64(info.LogSize)/1e6)
	fmt.Fprintf(e.stdout, "snap file   %s (%.1f MB)\n", sanitize.Escape(info.SnapshotPath), float64(info.FileSize)/1e6)
	switch {
	case s.TooOld:
		fmt.Fprintf(e.stdout, "state       TOO OLD: older than %s, entries are NOT VERIFIED data_too_old until a new snapshot is imported\n", k.checker.Settings().Rules.DataAgeLimit())
	case s.ClockBehind:
		fmt.Fprintln(e.stdout, "state       CLOCK WRONG: device time is before the snapshot was made")
	case s.Stale:
		fmt.Fprintf(e.stdout, "state       STALE: older than %s\n", k.checker.Settings().Rules.MaxAge)
	default:
		fmt.Fprintln(e.stdout, "state       fresh")
	}
	return nil
}
