package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/serial"
)

// checkTestScan asks for a scan and waits for it through the kiosk's own
// scanner code (serial framing, prefix, suffix and symbology filter
// included), so "the port opens" and "a code arrives" are told apart. The
// code itself is never printed: only its length and how long it took.
func checkTestScan(ctx context.Context, e *env, cfg *config.Config, d doctorDeps, wait time.Duration) checkResult {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start := d.now()
	fmt.Fprintf(e.stderr, "doctor: scan any QR code now (waiting %s)\n", wait)
	sc, ok, err := serialFlags{}.serialConfig(cfg)
	if err != nil {
		return checkResult{Name: "scanner.scan", Status: statusFail, Detail: err.Error(), Fix: "fix the scanner.serial section (doorcheck config check)"}
	}
	var scan scanner.Scan
	var detail string
	if ok {
		scan, detail, err = serialTestScan(ctx, sc)
	} else if cfg.Scanner.Wedge.Enabled {
		scan, err = wedgeTestScan(ctx, d.scanIn)
	} else {
		return checkResult{Name: "scanner.scan", Status: statusSkip, Detail: "no scanner configured"}
	}
	if err != nil {
		r := checkResult{Name: "scanner.scan", Status: statusFail, Detail: fmt.Sprintf("no scan within %s", wait),
			Fix: "check the scanner's cable and mode: it must send a terminator (" + cfg.Scanner.Serial.Terminator + ") or pause after each code; doorcheck sim shows what the kiosk expects"}
		if detail != "" {
			r.Detail += " (" + detail + ")"
		}
		if !ok {
			r.Fix = "the scanner must be in keyboard (HID) mode and type into this terminal, ending each code with Enter"
		}
		return r
	}
	return checkResult{Name: "scanner.scan", Status: statusOK,
		Detail: fmt.Sprintf("read a code of %d bytes from %s after %s", len(scan.Payload), scan.Source, d.now().Sub(start).Round(time.Millisecond))}
}

// serialTestScan runs the serial source until its first scan; detail is
// the last thing the source reported (disconnected, dropped and why).
func serialTestScan(ctx context.Context, sc serial.Config) (scanner.Scan, string, error) {
	src, err := serial.New(sc)
	if err != nil {
		return scanner.Scan{}, "", err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	scans := make(chan scanner.Scan, 1)
	events := make(chan scanner.Event, 16)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, scans, events) }()
	var detail string
	for {
		select {
		case s := <-scans:
			cancel()
			<-done
			return s, detail, nil
		case ev := <-events:
			if ev.Kind != scanner.Connected {
				detail = ev.Kind.String() + ": " + ev.Detail
			}
		case <-ctx.Done():
			<-done
			return scanner.Scan{}, detail, ctx.Err()
		}
	}
}

// wedgeTestScan reads one line from the terminal: a keyboard-wedge
// scanner types the code and Enter. The read cannot be cancelled, so a
// timed-out reader is left to the process's exit.
func wedgeTestScan(ctx context.Context, in io.Reader) (scanner.Scan, error) {
	lines := make(chan string, 1)
	go func() {
		l, err := bufio.NewReader(in).ReadString('\n')
		if err == nil || (err == io.EOF && l != "") {
			lines <- strings.TrimRight(l, "\r\n")
		}
	}()
	select {
	case l := <-lines:
		if l == "" {
			return scanner.Scan{}, fmt.Errorf("empty line")
		}
		return scanner.Scan{Payload: l, Source: "wedge", At: time.Now()}, nil
	case <-ctx.Done():
		return scanner.Scan{}, ctx.Err()
	}
}
