package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/doorcheck/doorcheck/scanner/frame"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/scanner/serial"
	"github.com/doorcheck/doorcheck/scanner/sim"
)

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// runScanner lists serial ports for IT staff.
func runScanner(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "scanner", []subcommand{
		{"list", "serial ports with USB vendor and product ids, serial numbers and by-id names", runScannerList},
	}, args)
}

func runScannerList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "scanner list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument \"%s\"", fs.Arg(0))
	}
	ports, err := serial.List()
	if err != nil {
		return err
	}
	return serial.WriteTable(e.stdout, ports)
}

// runSim writes payloads to a port the way a scanner does.
func runSim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sim")
	port := fs.String("port", "", "serial `port` to write to (required)")
	baud := fs.Int("baud", 9600, "baud rate to pace bytes at")
	term := fs.String("terminator", "cr", "cr, lf, crlf or none")
	gap := fs.Int("gap", 100, "pause after each payload, in `ms`")
	file := fs.String("file", "", "read payloads from `FILE`, one per line")
	prefix := fs.String("prefix", "", "text sent before each payload (an AIM id like ]Q1)")
	repeat := fs.Int("repeat", 1, "send each payload this many times")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *port == "" {
		return usagef("--port is required")
	}
	t, err := frame.ParseTerminator(*term)
	if err != nil {
		return usagef("%v", err)
	}
	payloads := fs.Args()
	if *file != "" {
		lines, err := readLines(*file)
		if err != nil {
			return err
		}
		payloads = append(payloads, lines...)
	}
	if len(payloads) == 0 {
		return usagef("no payloads: give them as arguments or with --file")
	}
	w, err := sim.Open(*port, *baud)
	if err != nil {
		return err
	}
	defer w.Close()
	opt := sim.Options{Baud: *baud, Terminator: t, Gap: time.Duration(*gap) * time.Millisecond, Prefix: *prefix, Repeat: *repeat}
	if err := sim.Write(ctx, w, payloads, opt); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "sent %d payload(s) to %s\n", len(payloads)*max(1, *repeat), *port)
	return nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sim.ReadPayloads(f)
}

// runUndo reverses the last decision made through this store within the
// undo window, from the command line.
func runUndo(ctx context.Context, e *env, args []string) error {
	k, err := openWithFlags(ctx, e, "undo", args, false)
	if err != nil {
		return err
	}
	defer k.Close()
	v, err := k.checker.Undo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "undone: visit %s (recorded as %s)\n", v.Undoes, v.VisitID)
	return nil
}

// runStats prints today's counters and the snapshot state.
func runStats(ctx context.Context, e *env, args []string) error {
	k, err := openReadOnlyWithFlags(ctx, e, "stats", args)
	if err != nil {
		return err
	}
	defer k.Close()
	s, err := k.checker.Stats(ctx)
	if err != nil {
		return err
	}
	c := s.Counters
	fmt.Fprintf(e.stdout, "day %s: inside %d, entries %d, exits %d, not verified %d, undos %d, waiting for upload %d\n",
		s.Day, c.Inside, c.Entries, c.Exits, c.NotVerified, c.Undos, s.Pending)
	for _, r := range slices.Sorted(maps.Keys(c.Denied)) {
		fmt.Fprintf(e.stdout, "  denied %-20s %d\n", sanitize.Escape(string(r)), c.Denied[r]) // read from disk: not trusted
	}
	if !s.Snapshot.Present {
		fmt.Fprintln(e.stdout, "no snapshot")
	} else {
		stale := ""
		if s.Snapshot.Stale {
			stale = " (STALE)"
		}
		fmt.Fprintf(e.stdout, "snapshot v%d, %s old%s\n", s.Snapshot.Version, roundDuration(s.Snapshot.Age), stale)
	}
	return nil
}
