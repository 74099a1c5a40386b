package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/adminpin"
	"github.com/doorcheck/doorcheck/kiosk/tui"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// runAdminPIN is `doorcheck admin-pin`: it sets the PIN that locks the
// kiosk screen (quit, direction, undo, override, settings). The PIN is
// read twice from the terminal without echo, so a typo cannot lock the
// admin out, or once from standard input with --stdin for provisioning
// scripts; only its argon2id hash is written, mode 0600, where
// ui.admin_pin_file says.
func runAdminPIN(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin-pin")
	var k kioskFlags
	fs.StringVar(&k.config, "config", "", "kiosk config `file` (default "+defaultConfigPath+", or $DOORCHECK_CONFIG)")
	fromStdin := fs.Bool("stdin", false, "read the PIN from the first line of standard input instead of the terminal")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	cfg, _, err := loadConfig(e, k)
	if err != nil {
		return err
	}
	var pin string
	if *fromStdin {
		pin, err = readPINLine(e.stdin)
	} else {
		pin, err = readPINTwice(e)
	}
	if err != nil {
		return err
	}
	if err := adminpin.Check(pin); err != nil {
		return usagef("%v", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	enc, err := adminpin.Hash(pin, adminpin.DefaultParams, rand.Reader)
	if err != nil {
		return err
	}
	path := cfg.AdminPINPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("write admin PIN: %w", err)
	}
	if err := adminpin.Save(path, enc); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "admin PIN set: %s (argon2id hash, mode 0600); restart the kiosk to use it\n", path)
	return nil
}

// maxPINLine bounds what --stdin reads: a PIN is at most 12 digits.
const maxPINLine = 64

// readPINLine reads the first line of r, without its line ending.
func readPINLine(r io.Reader) (string, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxPINLine), maxPINLine).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the PIN from standard input: %w", err)
	}
	if errors.Is(err, io.EOF) && len(line) == maxPINLine {
		return "", usagef("the PIN line is too long")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readPINTwice reads the PIN twice from the terminal on standard input,
// without echo, prompting on standard error.
func readPINTwice(e *env) (string, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usagef("standard input is not a terminal: type the PIN on one, or pass it on standard input with --stdin")
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read the PIN: %w", err)
		}
		return string(b), nil
	}
	first, err := read(fmt.Sprintf("New admin PIN (%d to %d digits): ", adminpin.MinLen, adminpin.MaxLen))
	if err != nil {
		return "", err
	}
	if err := adminpin.Check(first); err != nil {
		return "", usagef("%v", err)
	}
	second, err := read("Again: ")
	if err != nil {
		return "", err
	}
	if first != second {
		return "", usagef("the two PINs differ: nothing was changed")
	}
	return first, nil
}

// lockOptions locks the kiosk screen with the admin PIN ui.admin_pin_file
// holds (none set: unlocked, and the idle screen says how to set one; a
// demo takes the demo PIN). A PIN file that exists but cannot be read
// keeps the screen locked with no PIN accepted: fail closed, never open.
func lockOptions(e *env, k *openedKiosk, isDemo bool) tui.LockOptions {
	o := tui.LockOptions{Override: k.checker.Override}
	if !isDemo {
		h, err := adminpin.Load(k.cfg.AdminPINPath())
		switch {
		case err == nil:
			o.PIN = &h
		case !errors.Is(err, adminpin.ErrNotSet):
			o.PINBroken = true
			fmt.Fprintf(e.stderr, "doorcheck: admin PIN unreadable, the screen stays locked: %s\n", sanitize.Escape(err.Error()))
		}
	}
	for _, s := range k.cfg.UI.Languages {
		if l, err := catalog.ParseLang(s); err == nil { // validated with the config
			o.Languages = append(o.Languages, l)
		}
	}
	for _, r := range k.cfg.UI.OverrideReasons {
		o.OverrideReasons = append(o.OverrideReasons, kiosk.OverrideReason(r))
	}
	return o
}
