package main

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/tui"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// A fresh kiosk — `doorcheck` (the TUI) started with no config file at
// --config, $DOORCHECK_CONFIG or the default path, and not asked for
// --demo — runs the demo and offers on its idle screen to be set up by
// scanning the code `doorcheck-hub enroll` printed. A scanned (or
// wedge-typed) enrollment code is never checked as a pass: the screen
// asks to confirm the hub and key, then provisionKiosk runs exactly as
// `provision --code` does, writing the config where the kiosk looked for
// it. The demo then ends and the real kiosk starts on the new config in
// the same process (under systemd nothing restarts: Restart=always is
// only for a kiosk that dies).

// firstStart is a TUI run that offers provisioning.
type firstStart struct {
	cfgPath   string // where the config is written
	storePath string // "": config.DefaultStorePath
	e         *env   // the process's, for the environment; provisioning writes nothing on its terminal

	mu      sync.Mutex
	program *tea.Program // the screen, once it runs
	written bool         // provisioning wrote the config
}

// firstStartDone ends the demo once provisioning wrote the config.
type firstStartDone struct{ cfgPath string }

func (d firstStartDone) Error() string { return "provisioned (" + d.cfgPath + "): starting the kiosk" }

// firstStartOf turns a TUI start with no config into the demo and
// returns the offer; nil when a config exists or --demo was asked.
func firstStartOf(e *env, name string, kf *kioskFlags) *firstStart {
	if name != "tui" || kf.demo {
		return nil
	}
	path := kf.config
	if path == "" {
		path = e.getenv("DOORCHECK_CONFIG")
	}
	if path == "" {
		path = defaultConfigPath
	}
	if fileExists(path) {
		return nil
	}
	f := &firstStart{cfgPath: path, e: e}
	if abs, err := filepath.Abs(path); err == nil {
		f.cfgPath = abs
	}
	visits := config.DefaultStorePath
	if filepath.Clean(path) != defaultConfigPath {
		// A config outside /etc/doorcheck keeps its data beside it.
		f.storePath = filepath.Join(filepath.Dir(f.cfgPath), "doorcheck.db")
		visits = f.storePath
	}
	if fileExists(visits) {
		// A kiosk that has a store was provisioned and has lost its
		// config: never the demo at a real door (its verdicts are the
		// demo's). Opening the missing config fails with its path.
		return nil
	}
	kf.demo, kf.config = true, ""
	return f
}

// parse reads an enrollment code as the screen shows it: the hub URL and
// the key fingerprint as `doorcheck-hub enroll` prints them.
func parseEnrollment(payload string) (tui.Enrollment, bool) {
	ec, err := protocol.ParseEnrollCode(strings.TrimSpace(payload))
	if err != nil {
		return tui.Enrollment{}, false
	}
	return tui.Enrollment{HubURL: ec.URL, KeyFingerprint: "sha256:" + hex.EncodeToString(ec.KeyFingerprint[:])}, true
}

// options are the screen's EnrollOptions; nil f: none.
func (f *firstStart) options() tui.EnrollOptions {
	if f == nil {
		return tui.EnrollOptions{}
	}
	return tui.EnrollOptions{Parse: parseEnrollment, Provision: f.provision}
}

// provision runs provisionKiosk with the code, its output kept off the
// terminal (the screen owns it).
func (f *firstStart) provision(ctx context.Context, code string) (tui.EnrollResult, error) {
	ec, err := protocol.ParseEnrollCode(strings.TrimSpace(code))
	if err != nil {
		return tui.EnrollResult{}, err
	}
	quiet := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: f.e.getenv}
	p, err := provisionKiosk(ctx, quiet, provisionRequest{cfgPath: f.cfgPath, storePath: f.storePath, code: ec, drainTimeout: defaultDrainTimeout})
	if p == nil {
		return tui.EnrollResult{}, err
	}
	f.mu.Lock()
	f.written = true
	f.mu.Unlock()
	return tui.EnrollResult{Written: true, Venue: p.ans.Venue, Door: p.ans.Door, NoData: err != nil}, nil
}

// wedge lets keyboard-wedge scans that are enrollment codes through the
// layout restoration too (a code typed through a Russian layout).
func (f *firstStart) wedge(o wedge.Options) wedge.Options {
	if f == nil {
		return o
	}
	valid := o.Valid
	o.Valid = func(s string) bool {
		_, ok := parseEnrollment(s)
		return ok || valid != nil && valid(s)
	}
	return o
}

// intercept returns the channel serial sources write to: enrollment codes
// go to the screen, everything else on to scans.
func (f *firstStart) intercept(ctx context.Context, scans chan scanner.Scan) chan scanner.Scan {
	if f == nil {
		return scans
	}
	in := make(chan scanner.Scan, cap(scans))
	go func() {
		for {
			select {
			case s := <-in:
				if _, ok := parseEnrollment(s.Payload); ok {
					f.send(tui.EnrollScanMsg(strings.TrimSpace(s.Payload)))
					continue
				}
				select {
				case scans <- s:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return in
}

// attach gives the offer the running screen.
func (f *firstStart) attach(p *tea.Program) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.program = p
	f.mu.Unlock()
}

func (f *firstStart) send(msg tea.Msg) {
	f.mu.Lock()
	p := f.program
	f.mu.Unlock()
	if p != nil {
		p.Send(msg)
	}
}

// done reports the demo's end as errFirstStartDone once the config is
// written.
func (f *firstStart) done(err error) error {
	if f == nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.written && err == nil {
		return firstStartDone{f.cfgPath}
	}
	return err
}

// runTUIFirstStart runs the TUI; when it ends provisioned, the real kiosk
// starts on the config written, with the same flags.
func runTUIFirstStart(ctx context.Context, e *env, args []string) error {
	err := runKiosk(ctx, e, "tui", args, false)
	var done firstStartDone
	if !errors.As(err, &done) {
		return err
	}
	return runKiosk(ctx, e, "tui", append(append([]string(nil), args...), "--config", done.cfgPath), false)
}
