package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/sync/reason"
)

// runCheck checks payloads once each and prints one verdict per payload,
// a visit that could not be recorded included (cannot_record). The exit
// status is 0 when every payload was admitted, 3 when any was not, and 1
// when any visit could not be recorded.
func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check")
	var kf kioskFlags
	kf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	dryRun := fs.Bool("dry-run", false, "decide but record nothing")
	list := fs.Bool("list", false, "with --demo: list the demo IINs and passes")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: doorcheck check [--config FILE | --demo] [--json] [--dry-run] PAYLOAD...")
		fmt.Fprintln(fs.Output(), "\nflags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *list {
		if !kf.demo {
			return usagef("--list needs --demo")
		}
		return printDemoList(e.stdout, *asJSON)
	}
	if fs.NArg() == 0 {
		return usagef("no payload given (try: doorcheck check --demo --list)")
	}
	// An empty argument is a slip of the shell ("$PAYLOAD" unset), not a
	// scan: refuse it before anything is opened or recorded.
	for i, payload := range fs.Args() {
		if strings.TrimSpace(payload) == "" {
			return usagef("payload %d is empty", i+1)
		}
	}
	k, err := openKiosk(ctx, e, kf, *dryRun)
	if err != nil {
		return err
	}
	defer k.Close()
	return checkPayloads(ctx, e, k, fs.Args(), *asJSON)
}

// checkPayloads checks each payload and prints its verdict line; the
// error carries the exit status.
func checkPayloads(ctx context.Context, e *env, k *openedKiosk, payloads []string, asJSON bool) error {
	allAdmitted := true
	var recordErr error
	for _, payload := range payloads {
		v, err := k.checker.Check(ctx, payload, "cli")
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// Every payload still gets its line: a script must see that
			// this one was not recorded, and the rest are tried.
			v, recordErr = kiosk.Unrecorded(v, "cli", err), err
		}
		if v.Decision != kiosk.Admit {
			allAdmitted = false
		}
		if asJSON {
			if err := json.NewEncoder(e.stdout).Encode(v); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(e.stdout, describeVerdict(payload, v))
	}
	if recordErr != nil {
		return recordErr
	}
	if !allAdmitted {
		return exitError{exitNotAdmit}
	}
	return nil
}

// describeVerdict is the one-line human form of a verdict. The payload is
// shown only escaped and shortened; an IIN is never echoed in full.
func describeVerdict(payload string, v kiosk.Verdict) string {
	var b strings.Builder
	if v.Decision == kiosk.CannotRecord {
		// No colour and no reasons: the decision was never committed.
		fmt.Fprintf(&b, "CANNOT RECORD (%s) %s", v.Failure, v.FailureDetail)
		return b.String()
	}
	fmt.Fprintf(&b, "%-12s %-6s", strings.ToUpper(strings.ReplaceAll(string(v.Decision), "_", " ")), v.StatusName())
	switch {
	case v.Subject != "":
		fmt.Fprintf(&b, " subject %s", v.Subject)
	case v.Kind == kiosk.KindIIN:
		b.WriteString(" input: 12 digits") // never echo an IIN, even a wrong one
	default:
		fmt.Fprintf(&b, " input %s", shortPayload(payload))
	}
	for _, r := range v.Reasons {
		fmt.Fprintf(&b, " · %s", reason.Describe(r))
		switch r {
		case reason.Expired:
			fmt.Fprintf(&b, " (%s ago)", roundDuration(v.ExpiredAgo))
		case reason.NotYetValid:
			fmt.Fprintf(&b, " (starts in %s)", roundDuration(v.ValidIn))
		case reason.Reentry:
			fmt.Fprintf(&b, " (entered %s)", v.FirstEntryAt.Local().Format("15:04"))
		}
	}
	if v.Repeat {
		b.WriteString(" · repeated scan, not recorded again")
	}
	return b.String()
}

// shortPayload escapes an unverified payload and keeps only its start.
func shortPayload(p string) string {
	const keep = 6
	r := []rune(p)
	if len(r) > keep {
		return sanitize.Escape(string(r[:keep])) + fmt.Sprintf("…(%d chars)", len(r))
	}
	return sanitize.Escape(p)
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute)
	case d >= time.Minute:
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// printDemoList prints the demo payloads, one per line.
func printDemoList(w io.Writer, asJSON bool) error {
	samples, err := demo.Samples(time.Now())
	if err != nil {
		return err
	}
	dccs, err := demo.DCCSamples(time.Now())
	if err != nil {
		return err
	}
	samples = append(samples, dccs...)
	for _, s := range samples {
		if asJSON {
			if err := json.NewEncoder(w).Encode(map[string]string{"label": s.Label, "payload": s.Payload, "expect": s.Expect}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(w, "%-40s %-36s %s\n", s.Label, "→ "+s.Expect, s.Payload)
	}
	return nil
}
