// Command doorcheck is the door-checker kiosk: the full-screen TUI, a
// headless run loop for turnstile controllers, one-shot checks, snapshot
// tools, scanner tools and QR tools.
//
// Run with no config file it starts the kiosk in demo mode on the embedded
// demo snapshot, offering on screen to provision it by scanning a hub
// enrollment code (firststart.go).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// exit codes, stable for scripts.
const (
	exitOK       = 0
	exitFailure  = 1 // the command failed (I/O, bad data, cannot record)
	exitUsage    = 2 // bad flags or arguments
	exitNotAdmit = 3 // check: at least one payload was not admitted
	exitStore    = 4 // the store is missing (not provisioned), its visit file damaged, or its snapshot another hub's
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
		{"provision", "enroll this kiosk with a hub: --config FILE --code CODE | --scan [--force]", runProvisionCmd},
		{"sync", "upload visits and fetch snapshots: --config FILE [--once]", runSync},
		{"qr", "qr decode FILE... | qr encode [--out FILE.png] PAYLOAD", runQR},
		{"config", "config check --config FILE: list every problem of a kiosk config", runConfig},
		{"admin-pin", "set the PIN that locks the kiosk screen: --config FILE [--stdin]", runAdminPIN},
		{"dcc", "EU Digital COVID Certificates: dcc test [--json] CASE.json... | dcc trust import FILE", runDCC},
		{"doctor", "check this kiosk's set-up, one line per check with its fix: --config FILE [--json] [--scan]", runDoctor},
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
	if len(args) > 0 && (!isFlag(args[0]) || isHelp(args[0])) {
		name, args = args[0], args[1:]
	}
	if isHelp(name) {
		if len(args) > 0 && !isFlag(args[0]) {
			// "doorcheck help CMD" is "doorcheck CMD --help".
			name, args = args[0], []string{"--help"}
		} else {
			printUsage(e.stdout)
			return exitOK
		}
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args)
		return exitCode(e, name, err)
	}
	fmt.Fprintf(e.stderr, "doorcheck: unknown command \"%s\"\n\n", sanitize.Escape(name))
	printUsage(e.stderr)
	return exitUsage
}

// isHelp reports whether arg asks for help, the ways people type it.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
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
		fmt.Fprintf(e.stderr, "doorcheck %s: %s\n", name, errorText(err))
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "doorcheck %s: %s\n", name, errorText(err))
		return exitFailure
	}
}

// Bounds on an error message printed on the terminal.
const (
	maxErrorLine  = 1024
	maxErrorLines = 20
)

// errorText is an error message made safe for a terminal. Errors quote
// arguments, file contents and manifest fields, so every line goes through
// the sanitizer before it is printed; the lines of a joined error stay
// lines.
func errorText(err error) string {
	lines := strings.Split(err.Error(), "\n")
	if len(lines) > maxErrorLines {
		lines = append(lines[:maxErrorLines], fmt.Sprintf("… (%d more lines)", len(lines)-maxErrorLines))
	}
	for i, l := range lines {
		lines[i] = sanitize.EscapeLimit(l, maxErrorLine)
	}
	return strings.Join(lines, "\n  ")
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: doorcheck [COMMAND] [FLAGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "With no command, starts the kiosk TUI; with no config file yet, the demo, which offers to set")
	fmt.Fprintln(w, "the kiosk up when the enrollment code from doorcheck-hub enroll is scanned.")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'doorcheck COMMAND -h' (or 'doorcheck help COMMAND') for a command's flags or subcommands.")
}

// newFlags returns a flag set that reports errors instead of exiting. What
// the flag package prints is held until parseFlags knows whether help was
// asked for (standard output, exit 0) or the flags were wrong (standard
// error, exit 2).
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("doorcheck "+name, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{e: e})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: doorcheck %s [FLAGS]\n", name)
		if s := summaryOf(name); s != "" {
			fmt.Fprintf(fs.Output(), "\n%s\n", s)
		}
		fmt.Fprintln(fs.Output(), "\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// flagOutput buffers a flag set's messages for parseFlags.
type flagOutput struct {
	e   *env
	buf bytes.Buffer
}

func (o *flagOutput) Write(p []byte) (int, error) { return o.buf.Write(p) }

// parseFlags parses args and turns flag errors into usage errors. Help
// (-h, --help) prints the command's flags on standard output.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if o, ok := fs.Output().(*flagOutput); ok {
		w := o.e.stderr
		if errors.Is(err, flag.ErrHelp) {
			w = o.e.stdout
		}
		// The flag package quotes the unknown flag as typed: every line
		// goes through the sanitizer like any other error text.
		for _, line := range strings.SplitAfter(o.buf.String(), "\n") {
			if line == "" {
				continue
			}
			// Tabs indent the flag package's help text: keep them as spaces.
			line = strings.ReplaceAll(line, "\t", "    ")
			io.WriteString(w, sanitize.EscapeLimit(strings.TrimSuffix(line, "\n"), maxErrorLine))
			if strings.HasSuffix(line, "\n") {
				io.WriteString(w, "\n")
			}
		}
		o.buf.Reset()
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// summaryOf returns a top-level command's one-line summary.
func summaryOf(name string) string {
	for _, c := range commands() {
		if c.name == name {
			return c.summary
		}
	}
	return ""
}

// subcommand is one verb of a command with verbs (snapshot, scanner, qr).
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// runSubcommand dispatches to the verb args[0] names. Help in any of its
// forms lists the verbs on standard output and succeeds; no verb or an
// unknown one is a usage error with the list on standard error.
func runSubcommand(ctx context.Context, e *env, parent string, subs []subcommand, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		printSubcommands(e.stdout, parent, subs)
		return nil
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
		if len(args) > 0 && args[0] == s.name {
			return s.run(ctx, e, args[1:])
		}
	}
	printSubcommands(e.stderr, parent, subs)
	if len(args) == 0 {
		return usagef("want a subcommand: %s", strings.Join(names, ", "))
	}
	return usagef("unknown subcommand \"%s\": want %s", args[0], strings.Join(names, ", "))
}

func printSubcommands(w io.Writer, parent string, subs []subcommand) {
	fmt.Fprintf(w, "usage: doorcheck %s SUBCOMMAND [FLAGS]\n\n", parent)
	for _, s := range subs {
		fmt.Fprintf(w, "  %-7s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(w, "\nRun 'doorcheck %s SUBCOMMAND -h' for its flags.\n", parent)
}
