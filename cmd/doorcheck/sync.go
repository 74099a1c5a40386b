package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/client"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// credentialEnv, when set, is the hub credential itself (KIOSK.SECRET),
// used instead of hub.credential_file.
const credentialEnv = "DOORCHECK_HUB_CREDENTIAL"

// runSync drains the outbox to the hub and keeps the snapshot current:
// once (--once: one upload pass and one snapshot check; the exit status
// says whether both succeeded) or until interrupted.
func runSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sync")
	var kf kioskFlags
	kf.register(fs)
	once := fs.Bool("once", false, "one upload and one snapshot check, then exit (non-zero if either failed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if kf.demo {
		return usagef("the demo has no hub to sync with")
	}
	k, err := openKiosk(ctx, e, kf, false)
	if err != nil {
		return err
	}
	defer k.Close()
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	cl, err := newSyncClient(e, k, log)
	if err != nil {
		return err
	}
	if !*once {
		err := cl.Run(ctx)
		return err
	}
	up, ck, err := cl.Once(ctx)
	st := cl.SyncState()
	fmt.Fprintf(e.stdout, "uploaded: %d new, %d duplicate, %d refused; %d pending\n", up.New, up.Duplicate, up.Refused, st.Pending)
	fmt.Fprintf(e.stdout, "snapshot: %s, version %d → %d\n", ck.Plan, ck.From, ck.To)
	if st.ClockSkewKnown && (st.ClockSkew > client.SkewWarning || st.ClockSkew < -client.SkewWarning) {
		fmt.Fprintf(e.stdout, "warning: this kiosk's clock differs from the hub's by %s\n", st.ClockSkew.Round(1e9))
	}
	if st.UploadOverdue {
		fmt.Fprintln(e.stdout, "warning: no upload has succeeded for 48 hours (venues are suspended after three days)")
	}
	if errors.Is(err, client.ErrRevoked) {
		fmt.Fprintf(e.stdout, "revoked: this kiosk was revoked by the hub; its %d unsent visits are kept\n", st.Pending)
	}
	return err
}

// startSync starts the sync loop beside the kiosk when a hub is
// configured, and returns what the screen reads (nil: no hub).
func startSync(ctx context.Context, e *env, k *openedKiosk, log *slog.Logger) kiosk.SyncStatus {
	if k.cfg.Hub.URL == "" {
		return nil
	}
	cl, err := newSyncClient(e, k, log)
	if err != nil {
		log.Error("sync disabled", "err", sanitize.Escape(err.Error()))
		return nil
	}
	go func() {
		if err := cl.Run(ctx); err != nil {
			log.Error("sync stopped", "err", sanitize.Escape(err.Error()))
		}
	}()
	return cl
}

// newSyncClient builds the client from the config and the credential.
func newSyncClient(e *env, k *openedKiosk, log *slog.Logger) (*client.Client, error) {
	if k.cfg.Hub.URL == "" {
		return nil, usagef("no hub.url in the config: provision the kiosk first (doorcheck provision)")
	}
	cred, err := readCredential(e, k.cfg.Hub.CredentialFile)
	if err != nil {
		return nil, err
	}
	opt := client.Options{
		URL: k.cfg.Hub.URL, Credential: cred, HubKey: k.hubKey, Store: k.store,
		Dir: filepath.Dir(k.cfg.Store.Path), Clock: k.checker, Log: log,
	}
	if k.dccTrust != nil {
		opt.DCCTrust = k.dccTrust
	}
	return client.New(opt)
}

// readCredential reads the hub credential from the environment or the
// file, which must not be readable by others.
func readCredential(e *env, file string) (string, error) {
	if c := strings.TrimSpace(e.getenv(credentialEnv)); c != "" {
		if _, _, err := protocol.ParseCredential(c); err != nil {
			return "", fmt.Errorf("$%s: %w", credentialEnv, err)
		}
		return c, nil
	}
	if file == "" {
		return "", usagef("no hub credential: set hub.credential_file in the config or $%s", credentialEnv)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return "", fmt.Errorf("hub credential: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("hub credential %s is readable by others (mode %o): chmod 600 it", file, fi.Mode().Perm())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("hub credential: %w", err)
	}
	c := strings.TrimSpace(string(b))
	if _, _, err := protocol.ParseCredential(c); err != nil {
		return "", fmt.Errorf("hub credential %s: %w", file, err)
	}
	return c, nil
}
