package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
	"github.com/doorcheck/doorcheck/scanner/serial"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// A fresh kiosk is set up by scanning the QR code `doorcheck-hub enroll`
// printed, with the kiosk's own scanner: nobody types a 100-character
// code on a kiosk without a keyboard. `provision --scan` reads one
// enrollment code and hands it to provision as --code; everything else
// (the fingerprint check, the config, the first snapshot) is provision's.

// stableScannerPort is the link configs/99-doorcheck-scanner.rules adds;
// a fresh kiosk has no config naming a port yet, so --scan looks there.
const stableScannerPort = "/dev/doorcheck-scanner"

// scanFlags are the flags --scan adds to provision; they are taken out
// of the arguments before provision parses the rest.
type scanFlags struct {
	scan   bool
	serial string
	wait   time.Duration
	config string
	help   bool
}

// runProvisionCmd is `doorcheck provision`: with --scan it reads the code
// from the scanner, then provisions as with --code.
func runProvisionCmd(ctx context.Context, e *env, args []string) error {
	sf, rest, err := takeScanFlags(args)
	if err != nil {
		return err
	}
	if sf.help {
		err := runProvision(ctx, e, rest)
		fmt.Fprintln(e.stdout, "  -scan\n        read the enrollment code with this kiosk's scanner instead of --code")
		fmt.Fprintln(e.stdout, "  -serial port\n        with --scan: the serial scanner (default: the config's, or "+stableScannerPort+" when it exists, else a keyboard-wedge scan on the terminal)")
		fmt.Fprintln(e.stdout, "  -scan-timeout duration\n        with --scan: how long to wait for the code (default 5m0s)")
		return err
	}
	if !sf.scan {
		return runProvision(ctx, e, rest)
	}
	for _, a := range rest {
		if a == "--code" || a == "-code" || strings.HasPrefix(a, "--code=") || strings.HasPrefix(a, "-code=") {
			return usagef("--scan and --code exclude each other")
		}
	}
	code, err := scanEnrollCode(ctx, e, sf)
	if err != nil {
		return err
	}
	return runProvision(ctx, e, append(rest, "--code", code))
}

// takeScanFlags removes --scan, --serial and --scan-timeout from args and
// notes --config and help, leaving the rest for provision's own flags.
func takeScanFlags(args []string) (scanFlags, []string, error) {
	sf := scanFlags{wait: 5 * time.Minute}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !isFlag(a) || a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		next := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", usagef("flag needs an argument: -%s", name)
			}
			i++
			return args[i], nil
		}
		switch name {
		case "scan":
			sf.scan = !hasValue || value == "true" || value == "1"
		case "serial":
			v, err := next()
			if err != nil {
				return sf, nil, err
			}
			sf.serial = v
		case "scan-timeout":
			v, err := next()
			if err != nil {
				return sf, nil, err
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return sf, nil, usagef("--scan-timeout: want a duration like 2m, got %q", v)
			}
			sf.wait = d
		default:
			if isHelp(a) {
				sf.help = true
			}
			rest = append(rest, a)
			if name == "config" {
				v, err := next()
				if err != nil {
					return sf, nil, err
				}
				sf.config = v
				if !hasValue {
					rest = append(rest, v)
				}
			}
		}
	}
	return sf, rest, nil
}

// scanEnrollCode waits for a scan that is an enrollment code. Anything
// else scanned (a visitor's pass held up by mistake) is refused by kind
// only: it is never printed or kept.
func scanEnrollCode(ctx context.Context, e *env, sf scanFlags) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, sf.wait)
	defer cancel()
	sc, fromSerial := provisionScanner(e, sf)
	scans := make(chan scanner.Scan, 4)
	events := make(chan scanner.Event, 16)
	done := make(chan error, 1)
	if fromSerial {
		src, err := serial.New(sc)
		if err != nil {
			return "", usagef("--serial: %v", err)
		}
		fmt.Fprintf(e.stderr, "Scan the enrollment code (from doorcheck-hub enroll) with the scanner on %s.\n", sc.Path)
		go func() { done <- src.Run(ctx, scans, events) }()
	} else {
		fmt.Fprintln(e.stderr, "Scan the enrollment code (from doorcheck-hub enroll) with the keyboard scanner, or type it and press Enter.")
		// The read cannot be cancelled: a reader left waiting ends with
		// the process.
		go func() {
			r := bufio.NewReader(e.stdin)
			for {
				l, err := r.ReadString('\n')
				if l = strings.TrimRight(l, "\r\n"); l != "" {
					select {
					case scans <- scanner.Scan{Payload: l, Source: "wedge", At: time.Now()}:
					case <-ctx.Done():
						return
					}
				}
				if err != nil {
					done <- err
					return
				}
			}
		}()
	}
	// take answers one scan: the code it holds, or false after saying why
	// it is not one.
	take := func(s scanner.Scan) (string, bool) {
		text := strings.TrimSpace(s.Payload)
		if _, err := protocol.ParseEnrollCode(text); err != nil {
			fmt.Fprintf(e.stderr, "That is not an enrollment code (%d bytes, not DCE1:…): scan the code doorcheck-hub enroll printed.\n", len(s.Payload))
			return "", false
		}
		fmt.Fprintln(e.stderr, "Enrollment code read.")
		return text, true
	}
	for {
		select {
		case s := <-scans:
			if code, ok := take(s); ok {
				return code, nil
			}
		case ev := <-events:
			if ev.Kind == scanner.Disconnected {
				fmt.Fprintf(e.stderr, "scanner: %s\n", ev.Detail)
			}
		case err := <-done:
			// The input may end right behind the code: scans it queued
			// before it ended still count (select picks among ready cases
			// at random).
			for len(scans) > 0 {
				if code, ok := take(<-scans); ok {
					return code, nil
				}
			}
			if ctx.Err() != nil {
				return "", fmt.Errorf("no enrollment code scanned within %s: run again, or pass --code CODE", sf.wait)
			}
			if err == nil {
				err = errors.New("the scanner stopped")
			}
			return "", fmt.Errorf("read the enrollment code: %w", err)
		case <-ctx.Done():
			return "", fmt.Errorf("no enrollment code scanned within %s: run again, or pass --code CODE", sf.wait)
		}
	}
}

// provisionScanner picks the scanner: --serial, the existing config's
// serial scanner (re-provisioning), the udev rule's stable link, or else
// the terminal (a keyboard-wedge scanner types into it).
func provisionScanner(e *env, sf scanFlags) (serial.Config, bool) {
	c := config.Defaults()
	if sf.config != "" && fileExists(sf.config) {
		if old, err := config.LoadEnv(sf.config, e.getenv); err == nil {
			c = old
		}
	}
	s := c.Scanner.Serial
	switch {
	case sf.serial != "":
		s.Port = sf.serial
	case s.Port != "":
	case deviceExists(stableScannerPort):
		s.Port = stableScannerPort
	default:
		return serial.Config{}, false
	}
	term, _ := frame.ParseTerminator(s.Terminator)
	return serial.Config{
		Path: s.Port, Baud: s.Baud, DataBits: s.DataBits, Parity: s.Parity, StopBits: s.StopBits,
		// No symbology filter: the scanner may not be set up to send AIM
		// identifiers yet, and the code is checked by its own format.
		Framing: frame.Options{Terminator: term, Gap: s.Gap.Duration, Prefix: s.Prefix, Suffix: s.Suffix, Max: s.MaxLength},
	}, true
}

func deviceExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
