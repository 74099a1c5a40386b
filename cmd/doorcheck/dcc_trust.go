package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/sync/dcc"
)

func runDCCTrust(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "dcc trust", []subcommand{
		{"import", "[--config FILE] TRUSTLIST.json: check and install the DCC signing certificates", runDCCTrustImport},
	}, args)
}

// runDCCTrustImport checks a JSON trust list (every certificate parses,
// every given kid matches its certificate, at least one signer) and
// installs it atomically where the config says, so a kiosk never reads a
// half-written or unparseable list. Until the hub publishes the list in its
// signed snapshot, this file is trusted as the config that names it is.
func runDCCTrustImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dcc trust import")
	var k kioskFlags
	k.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one TRUSTLIST.json")
	}
	cfg, _, err := loadConfig(e, k)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, dcc.MaxTrustListBytes+1))
	f.Close()
	if err != nil {
		return err
	}
	tl, err := dcc.ReadTrustList(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if tl.Len() == 0 {
		return fmt.Errorf("trust list holds no signing certificate")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := cfg.DCCTrustPath()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(dst, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "installed %d DCC signing certificates in %s\n", tl.Len(), dst)
	if hub := hubDCCTrustPath(cfg); fileExists(hub) {
		fmt.Fprintf(e.stdout, "note: the hub's trust list (%s) is installed and takes precedence; this list counts only without it\n", hub)
	}
	return nil
}

// loadDCCTrust reads the installed trust list; a missing file is an empty
// list (every DCC then unknown_signer), not an error.
func loadDCCTrust(path string) (*dcc.TrustList, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return dcc.NewTrustList(), nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return dcc.ReadTrustList(f)
}

// dccSettingsOf is the checker's DCC part of a config: nil when dcc.enabled
// is off; the demo config trusts the demo signer. An unreadable trust list is an error (the kiosk does not start
// with a list it cannot read); a missing one is empty, so every DCC is
// dcc_unknown_signer until one is imported.
func dccSettingsOf(cfg *config.Config) (*kiosk.DCCSettings, error) {
	if cfg.IsDemo() {
		tl, err := demo.DCCTrustList()
		if err != nil {
			return nil, err
		}
		return &kiosk.DCCSettings{Verifier: dcc.Verifier{Trust: tl, CheckKeyUsage: true}, Rules: cfg.DCC.Rules()}, nil
	}
	if !cfg.DCC.Enabled {
		return nil, nil
	}
	tl, err := loadDCCTrust(cfg.DCCTrustPath())
	if err != nil {
		return nil, fmt.Errorf("dcc trust list %s: %w", cfg.DCCTrustPath(), err)
	}
	trust, err := kiosk.OpenDCCTrust(hubDCCTrustPath(cfg), tl)
	if err != nil {
		return nil, err
	}
	return &kiosk.DCCSettings{
		Verifier: dcc.Verifier{Trust: tl, CheckKeyUsage: cfg.DCC.KeyUsage, Skew: cfg.Policy.ClockSkew.Duration},
		Rules:    cfg.DCC.Rules(),
		Trust:    trust,
	}, nil
}

// hubDCCTrustPath is where the sync client installs the trust list the
// hub publishes in its signed index: dcc-trust-hub.json beside the visit
// store (where downloads are staged). Once there it takes precedence over
// the local list (kiosk.DCCTrust).
func hubDCCTrustPath(cfg *config.Config) string {
	return filepath.Join(filepath.Dir(cfg.Store.Path), "dcc-trust-hub.json")
}
