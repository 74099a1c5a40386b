// Command doorcheck-hub is the upstream half of doorcheck: it keeps the
// hub's keys, imports status lists into signed snapshots, and serves them
// (and, later, enrollment and visit upload) over the /v1 protocol
// (docs/protocol.md).
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
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
)

// exit codes, stable for scripts.
const (
	exitOK      = 0
	exitFailure = 1 // the command failed (I/O, bad data, bad keys)
	exitUsage   = 2 // bad flags or arguments
)

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the process, so tests run commands
// in-process with their own streams and clock.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	// terminal reports whether progress may be drawn on stderr.
	terminal bool
	// stdoutTerminal reports whether a QR code may be drawn on stdout.
	stdoutTerminal bool
	// importHook, when set, sees every import progress report (crash
	// tests stop the import at a chosen stage and kill it there).
	importHook func(hub.ImportProgress)
}

func commands() []command {
	return []command{
		{"keygen", "create the hub's keys: --data DIR [--deployment NAME]", runKeygen},
		{"import", "publish a status list as a signed snapshot: --data DIR [--db DSN] [--artifacts DIR] [--format csv|jsonl] FILE", runImport},
		{"import-dsc", "store an EU DCC signer trust list for the next import: --data DIR FILE.json", runImportDSC},
		{"serve", "serve the /v1 protocol: --data DIR [--db DSN] [--artifacts DIR] --addr HOST:PORT [--tls-cert F --tls-key F]", runServe},
		{"enroll", "make a one-time enrollment code: --data DIR [--db DSN] --venue V --door D --direction entry|exit [--qr FILE.png]", runEnroll},
		{"kiosks", "list the fleet: --data DIR [--db DSN] [--json]", runKiosks},
		{"revoke", "revoke a kiosk: --data DIR [--db DSN] KIOSK", runRevoke},
		{"report", "the compliance report of a day: --data DIR [--db DSN] [--day YYYY-MM-DD] [--json]", runReport},
		{"migrate", "bring the PostgreSQL schema to this version: --db DSN", runMigrate},
		{"pass", "print a pass signed by the hub's issuer: --data DIR --iin IIN [--valid 1h] [--not-before TIME]", runPass},
	}
}

func main() { mainWith(nil) }

// mainWith runs the process with an import hook (tests only).
func mainWith(importHook func(hub.ImportProgress)) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, now: time.Now,
		terminal: isTerminal(os.Stderr), stdoutTerminal: isTerminal(os.Stdout), importHook: importHook}, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main runs one command line and returns the process exit code.
func Main(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(e, c.name, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "doorcheck-hub: unknown command %q\n\n", args[0])
	printUsage(e.stderr)
	return exitUsage
}

func exitCode(e *env, name string, err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "doorcheck-hub %s: %v\n", name, err)
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "doorcheck-hub %s: %v\n", name, err)
		return exitFailure
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: doorcheck-hub COMMAND [FLAGS]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'doorcheck-hub COMMAND -h' for a command's flags.")
}

func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("doorcheck-hub "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
