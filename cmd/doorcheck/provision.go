package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/client"
	"github.com/doorcheck/doorcheck/sync/protocol"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// credentialFileName is where provision keeps the hub credential, beside
// the config.
const credentialFileName = "hub.credential"

// runProvision enrolls this kiosk with a hub from a one-time code: it
// redeems the code, pins the hub key (refusing a hub whose key is not the
// one the code names), writes the config and the credential (mode 0600),
// creates the store and imports the first snapshot.
//
// On a provisioned kiosk (the config exists) it needs --force. Unsent
// visits are then uploaded first, under the old identity (the hub takes a
// kiosk's visits only for its own venue and door), and it switches only
// when the outbox is empty; a hub it cannot reach means a refusal with the
// count, never a drop. Everything is checked before the code is redeemed,
// because a code is spent once redeemed.
func runProvision(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "provision")
	cfgPath := fs.String("config", "", "kiosk config `file` to write (default "+defaultConfigPath+")")
	code := fs.String("code", "", "the one-time enrollment `code` (DCE1:…) from doorcheck-hub enroll")
	force := fs.Bool("force", false, "re-provision a kiosk that has a config (never drops unsent visits)")
	storePath := fs.String("store", "", "visit store `path` (default: the existing config's, or "+config.DefaultStorePath+")")
	device := fs.String("device", "", "a `name` for this device in the hub's fleet list")
	quiet := fs.Bool("quiet", false, "no progress bar")
	drainTimeout := fs.Duration("upload-timeout", defaultDrainTimeout, "with --force: how long to try uploading unsent visits under the old identity")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *code == "" {
		return usagef("--code is required")
	}
	ec, err := protocol.ParseEnrollCode(*code)
	if err != nil {
		return usagef("--code: %v", err)
	}
	req := provisionRequest{cfgPath: *cfgPath, storePath: *storePath, code: ec, device: *device, force: *force, drainTimeout: *drainTimeout}
	if !*quiet {
		req.progress = e.stderr
	}
	p, err := provisionKiosk(ctx, e, req)
	if p == nil {
		return err
	}
	fmt.Fprintf(e.stdout, "provisioned kiosk %s: venue %s, door %s, direction %s\n", p.ans.Kiosk, p.ans.Venue, p.ans.Door, p.ans.Direction)
	fmt.Fprintf(e.stdout, "hub %s, key %s\nconfig %s, store %s\n", p.cfg.Hub.URL, p.ans.HubKeyID, p.cfgPath, p.cfg.Store.Path)
	if err != nil {
		fmt.Fprintln(e.stdout, "snapshot: none yet (the kiosk decides NOT VERIFIED until `doorcheck sync` fetches one)")
		return err
	}
	fmt.Fprintf(e.stdout, "snapshot version %d\n", p.snapshot)
	return nil
}

// provisionRequest is one provisioning: `provision --code` (and --scan)
// and the TUI's first start (firststart.go) both run provisionKiosk.
type provisionRequest struct {
	cfgPath   string // "": defaultConfigPath
	storePath string // "": the existing config's, or config.DefaultStorePath
	code      protocol.EnrollCode
	device    string
	force     bool
	// drainTimeout bounds the upload of unsent visits under the old
	// identity (force on a provisioned kiosk).
	drainTimeout time.Duration
	// progress gets the first snapshot's progress bar; nil: none.
	progress io.Writer
}

// provisioned is what provisionKiosk set up.
type provisioned struct {
	ans      *protocol.RedeemResponse
	cfg      *config.Config
	cfgPath  string
	snapshot uint64 // the first snapshot's version; 0: none yet
}

// provisionKiosk redeems the code, pins the hub key, writes the config
// and credential, creates the store and fetches the first snapshot. A
// non-nil result means the config is written: the error is then the
// first snapshot's alone, and the kiosk runs (deciding NOT VERIFIED)
// until sync fetches one.
func provisionKiosk(ctx context.Context, e *env, req provisionRequest) (*provisioned, error) {
	cfgPath := req.cfgPath
	if cfgPath == "" {
		cfgPath = defaultConfigPath
	}
	ec := req.code
	path := req.storePath
	if fileExists(cfgPath) {
		if !req.force {
			return nil, usagef("%s exists: this kiosk is provisioned; pass --force to provision it again", cfgPath)
		}
		old, err := config.Load(cfgPath)
		if err != nil {
			return nil, fmt.Errorf("read the current config: %w", err)
		}
		if path == "" {
			path = old.Store.Path
		}
		if err := drainUnsent(ctx, e, cfgPath, old, req.drainTimeout); err != nil {
			return nil, err
		}
	}
	if path == "" {
		path = config.DefaultStorePath
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}

	ans, err := redeem(ctx, ec, req.device)
	if err != nil {
		return nil, err
	}
	fp := protocol.Fingerprint(ans.HubKey)
	if len(ans.HubKey) != 32 || subtle.ConstantTimeCompare(fp[:], ec.KeyFingerprint[:]) != 1 || ans.HubKeyID != wire.KeyIDOf(ans.HubKey) {
		return nil, errors.New("the hub's key does not match the fingerprint in the enrollment code: refused (is something between this kiosk and the hub?)")
	}
	if err := writeProvisioned(cfgPath, path, ec.URL, ans); err != nil {
		return nil, err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("the config provision wrote does not load: %w", err)
	}
	p := &provisioned{ans: ans, cfg: cfg, cfgPath: cfgPath}
	st, err := openStore(e, cfg, ans.HubKey, storeProvision)
	if err != nil {
		return p, err
	}
	defer st.Close()
	cl, err := client.New(client.Options{
		URL: cfg.Hub.URL, Credential: protocol.Credential(ans.Kiosk, ans.Secret), HubKey: ans.HubKey, Store: st,
		Dir: filepath.Dir(cfg.Store.Path), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return p, err
	}
	var bar *progressBar
	ck, err := cl.Check(ctx, 6, func(pr store.Progress) {
		if req.progress == nil {
			return
		}
		if bar == nil {
			bar = newProgressBar(req.progress, false, pr.Total, pr.TotalBytes)
		}
		bar.update(pr)
	})
	if bar != nil {
		bar.done(err == nil)
	}
	if err != nil {
		return p, fmt.Errorf("first snapshot: %w", err)
	}
	p.snapshot = ck.To
	return p, nil
}

// redeem spends the code at the hub.
func redeem(ctx context.Context, ec protocol.EnrollCode, device string) (*protocol.RedeemResponse, error) {
	body, _ := json.Marshal(protocol.RedeemRequest{Handshake: ec.Handshake, Token: ec.Token[:], Device: device})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ec.URL+protocol.EnrollPath, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("redeem the enrollment code at %s: %w", ec.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("redeem: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var pe protocol.Error
		json.Unmarshal(b, &pe)
		switch pe.Code {
		case protocol.CodeTokenUsed:
			return nil, errors.New("this enrollment code has already been used: ask the hub operator for a new one (doorcheck-hub enroll)")
		case protocol.CodeTokenExpired:
			return nil, errors.New("this enrollment code has expired: ask the hub operator for a new one (doorcheck-hub enroll)")
		case protocol.CodeTokenUnknown:
			return nil, errors.New("the hub does not know this enrollment code: is it from another hub?")
		}
		return nil, fmt.Errorf("redeem: hub answered %d %s", resp.StatusCode, pe.Code)
	}
	var ans protocol.RedeemResponse
	if err := json.Unmarshal(b, &ans); err != nil {
		return nil, fmt.Errorf("redeem answer: %w", err)
	}
	return &ans, nil
}

// writeProvisioned writes the credential (0600) and the config, each
// atomically; an existing config is kept as FILE.previous.
func writeProvisioned(cfgPath, storePath, url string, ans *protocol.RedeemResponse) error {
	dir := filepath.Dir(cfgPath)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	cred := filepath.Join(dir, credentialFileName)
	if err := writeAtomic(cred, []byte(protocol.Credential(ans.Kiosk, ans.Secret)+"\n"), 0o600); err != nil {
		return fmt.Errorf("write hub credential: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Written by `doorcheck provision` at %s.\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "kiosk:\n  id: %q\n  venue: %q\n  door: %q\n  direction: %s\n", ans.Kiosk, ans.Venue, ans.Door, ans.Direction)
	fmt.Fprintf(&b, "store:\n  path: %q\n", storePath)
	fmt.Fprintf(&b, "hub:\n  url: %q\n  public_key: %s\n  key_id: %q\n  credential_file: %s\n",
		url, base64.StdEncoding.EncodeToString(ans.HubKey), ans.HubKeyID.String(), credentialFileName)
	if fileExists(cfgPath) {
		if old, err := os.ReadFile(cfgPath); err == nil {
			if err := writeAtomic(cfgPath+".previous", old, 0o600); err != nil {
				return fmt.Errorf("keep the previous config: %w", err)
			}
		}
	}
	if err := writeAtomic(cfgPath, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// writeAtomic writes data to path through a synced temporary file and a
// rename, so a crash leaves the old file or the new one.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
