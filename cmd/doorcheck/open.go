package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// defaultConfigPath is where a provisioned kiosk keeps its config.
const defaultConfigPath = "/etc/doorcheck/kiosk.yaml"

// kioskFlags are the flags every command that opens the kiosk shares.
type kioskFlags struct {
	config string
	demo   bool
}

func (k *kioskFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.config, "config", "", "kiosk config `file` (default "+defaultConfigPath+", or $DOORCHECK_CONFIG)")
	fs.BoolVar(&k.demo, "demo", false, "use the embedded demo snapshot and demo settings")
}

// openedKiosk is a checker with the store it owns.
type openedKiosk struct {
	cfg     *config.Config
	store   *store.Store
	checker *kiosk.Checker
	hubKey  ed25519.PublicKey
	// dccTrust is the checker's DCC trust list, which the sync client
	// updates from the hub (nil: DCC checks are off).
	dccTrust *kiosk.DCCTrust
}

func (o *openedKiosk) Close() error { return o.store.Close() }

// loadConfig returns the config the flags name: the demo config, an
// explicit file, $DOORCHECK_CONFIG, or the default path.
func loadConfig(e *env, k kioskFlags) (*config.Config, ed25519.PublicKey, error) {
	if k.demo {
		if k.config != "" {
			return nil, nil, usagef("--demo and --config exclude each other")
		}
		cfg := config.Demo()
		cfg.Store.Path = demoStorePath(e)
		return cfg, demo.HubPublicKey(), nil
	}
	path := k.config
	if path == "" {
		path = e.getenv("DOORCHECK_CONFIG")
	}
	if path == "" {
		path = defaultConfigPath
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, nil, usagef("no kiosk config at %s: pass --config FILE, or --demo to try the demo", path)
		}
	}
	cfg, err := config.LoadEnv(path, e.getenv)
	if err != nil {
		return nil, nil, err
	}
	key, err := cfg.HubKey()
	if err != nil {
		return nil, nil, err
	}
	return cfg, key, nil
}

// demoStorePath keeps demo visits apart from any real kiosk's, in the
// user's cache directory ($DOORCHECK_DEMO_DB overrides it, for tests).
func demoStorePath(e *env) string {
	if p := e.getenv("DOORCHECK_DEMO_DB"); p != "" {
		return p
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "doorcheck", "demo.db")
}

// openKiosk loads the config, opens the store and builds the checker. In
// demo mode it imports the day's demo snapshot when the store's is older.
func openKiosk(ctx context.Context, e *env, k kioskFlags, dryRun bool) (*openedKiosk, error) {
	return openKioskFor(ctx, e, k, dryRun, storeUse)
}

// openKioskFor is openKiosk with the store opened for mode. Only the demo
// creates its store: a configured kiosk with no visit file is not
// provisioned (snapshot import creates one), and a read-only command
// opens a demo store as the demo does.
func openKioskFor(ctx context.Context, e *env, k kioskFlags, dryRun bool, mode storeMode) (*openedKiosk, error) {
	cfg, hubKey, err := loadConfig(e, k)
	if err != nil {
		return nil, err
	}
	if k.demo && (mode != storeRead || !fileExists(cfg.Store.Path)) {
		mode = storeProvision
	}
	st, err := openStore(e, cfg, hubKey, mode)
	if err != nil {
		return nil, err
	}
	o := &openedKiosk{cfg: cfg, store: st, hubKey: hubKey}
	if k.demo && !st.ReadOnly() {
		if err := importDemo(ctx, st, time.Now()); err != nil {
			st.Close()
			return nil, err
		}
	}
	settings, err := settingsOf(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	settings.DryRun = dryRun
	o.checker = kiosk.New(st, settings)
	if settings.DCC != nil {
		o.dccTrust = settings.DCC.Trust
	}
	return o, nil
}

// settingsOf turns a config into checker settings.
func settingsOf(cfg *config.Config) (kiosk.Settings, error) {
	rules, err := cfg.Rules()
	if err != nil {
		return kiosk.Settings{}, err
	}
	loc, err := cfg.Location()
	if err != nil {
		return kiosk.Settings{}, err
	}
	dccSettings, err := dccSettingsOf(cfg)
	if err != nil {
		return kiosk.Settings{}, err
	}
	return kiosk.Settings{
		Kiosk:      cfg.Kiosk.ID,
		Venue:      cfg.Kiosk.Venue,
		Door:       cfg.Kiosk.Door,
		Direction:  cfg.Kiosk.Direction,
		Rules:      rules,
		Location:   loc,
		ClockSkew:  cfg.Policy.ClockSkew.Duration,
		Debounce:   cfg.Policy.Debounce.Duration,
		UndoWindow: cfg.Policy.UndoWindow.Duration,
		ClockJump:  cfg.Policy.ClockJump.Duration,
		DCC:        dccSettings,
	}, nil
}

// openWithFlags parses a command that takes only the kiosk flags, and opens
// the kiosk.
func openWithFlags(ctx context.Context, e *env, name string, args []string, dryRun bool) (*openedKiosk, error) {
	return openWithFlagsFor(ctx, e, name, args, dryRun, storeUse)
}

// openReadOnlyWithFlags is openWithFlags for a command that only reads
// (stats, snapshot info): the store is opened read-only.
func openReadOnlyWithFlags(ctx context.Context, e *env, name string, args []string) (*openedKiosk, error) {
	return openWithFlagsFor(ctx, e, name, args, true, storeRead)
}

func openWithFlagsFor(ctx context.Context, e *env, name string, args []string, dryRun bool, mode storeMode) (*openedKiosk, error) {
	fs := newFlags(e, name)
	var kf kioskFlags
	kf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	return openKioskFor(ctx, e, kf, dryRun, mode)
}

// importDemo brings the demo store up to the day's demo snapshot.
func importDemo(ctx context.Context, st *store.Store, now time.Time) error {
	if m, ok := st.Current(); ok && m.Version >= demo.Version(now) {
		return nil
	}
	data, err := demo.Snapshot(now)
	if err != nil {
		return err
	}
	r, err := wire.Open(bytes.NewReader(data), demo.HubPublicKey())
	if err != nil {
		return fmt.Errorf("open demo snapshot: %w", err)
	}
	if err := st.Import(ctx, r, nil); err != nil {
		return fmt.Errorf("import demo snapshot: %w", err)
	}
	return nil
}
