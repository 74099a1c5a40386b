// Command doorcheck is the door-checker kiosk: the full-screen TUI, a
// headless run loop for turnstile controllers, one-shot checks, snapshot
// tools, scanner tools and QR tools.
//
// Run with no arguments it starts the kiosk in demo mode on the embedded
// demo snapshot.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exit codes, stable for scripts.
const (
	exitOK       = 0
	exitFailure  = 1 // the command failed (I/O, bad data, cannot record)
	exitUsage    = 2 // bad flags or arguments
	exitNotAdmit = 3 // check: at least one payload was not admitted
)

// usageError marks errors that are the caller's flags or arguments.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the process, so tests run commands
// in-process with their own streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() []command {
	return []command{
		{"tui", "the full-screen kiosk (default): --config FILE | --demo", runTUI},
		{"run", "run the kiosk loop: --no-tui writes one JSON line per verdict", runRun},
		{"check", "check payloads once: [--config FILE | --demo] [--json] [--dry-run] PAYLOAD...", runCheck},
		{"undo", "undo the last decision on this kiosk within the undo window", runUndo},
		{"stats", "today's counters and snapshot status", runStats},
		{"snapshot", "snapshot gen | import | info", runSnapshot},
		{"scanner", "scanner list: serial ports with USB ids", runScanner},
		{"sim", "simulate a serial scanner on a port", runSim},
		{"qr", "qr decode FILE... | qr encode [--out FILE.png] PAYLOAD", runQR},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main runs one command line and returns the process exit code.
func Main(ctx context.Context, e *env, args []string) int {
	name := "tui"
	if len(args) > 0 && !isFlag(args[0]) {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		printUsage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args)
		return exitCode(e, name, err)
	}
	fmt.Fprintf(e.stderr, "doorcheck: unknown command %q\n\n", name)
	printUsage(e.stderr)
	return exitUsage
}

func exitCode(e *env, name string, err error) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "doorcheck %s: %v\n", name, err)
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "doorcheck %s: %v\n", name, err)
		return exitFailure
	}
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: doorcheck [COMMAND] [FLAGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "With no command, starts the kiosk TUI (in demo mode unless --config is given).")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'doorcheck COMMAND -h' for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("doorcheck "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
