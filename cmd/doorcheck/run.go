package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/internal/logsink"
	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/tui"
	"github.com/doorcheck/doorcheck/scanner"
	"github.com/doorcheck/doorcheck/scanner/frame"
	"github.com/doorcheck/doorcheck/scanner/layout"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
	"github.com/doorcheck/doorcheck/scanner/serial"
	"github.com/doorcheck/doorcheck/scanner/stream"
	"github.com/doorcheck/doorcheck/scanner/wedge"
	"github.com/doorcheck/doorcheck/sync/pass"
)

// serialFlags override the configured serial scanner.
type serialFlags struct {
	port       string
	baud       int
	terminator string
}

func (s *serialFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.port, "serial", "", "serial scanner `port` (overrides the config; works with --demo)")
	fs.IntVar(&s.baud, "baud", 0, "serial baud rate (default: config, or 9600)")
	fs.StringVar(&s.terminator, "terminator", "", "serial terminator: cr, lf, crlf or none (default: config, or cr)")
}

// serialConfig merges the flags over the config's scanner section; ok is
// false when no serial scanner is configured.
func (s serialFlags) serialConfig(cfg *config.Config) (serial.Config, bool, error) {
	sc := cfg.Scanner.Serial
	if s.port != "" {
		sc.Port = s.port
	}
	if s.baud != 0 {
		sc.Baud = s.baud
	}
	if s.terminator != "" {
		sc.Terminator = s.terminator
	}
	if sc.Port == "" {
		return serial.Config{}, false, nil
	}
	term, err := frame.ParseTerminator(sc.Terminator)
	if err != nil {
		return serial.Config{}, false, usagef("%v", err)
	}
	return serial.Config{
		Path: sc.Port, Baud: sc.Baud, DataBits: sc.DataBits, Parity: sc.Parity, StopBits: sc.StopBits,
		Framing: frame.Options{Terminator: term, Gap: sc.Gap.Duration, Prefix: sc.Prefix, Suffix: sc.Suffix,
			Symbologies: sc.Symbologies, Max: sc.MaxLength},
	}, true, nil
}

// runTUI is the default command: the full-screen kiosk.
func runTUI(ctx context.Context, e *env, args []string) error {
	return runTUIFirstStart(ctx, e, args) // firststart.go: no config yet offers provisioning
}

// runRun runs the kiosk loop, full-screen or (--no-tui) headless.
func runRun(ctx context.Context, e *env, args []string) error {
	return runKiosk(ctx, e, "run", args, true)
}

func runKiosk(ctx context.Context, e *env, name string, args []string, allowHeadless bool) error {
	fs := newFlags(e, name)
	var kf kioskFlags
	kf.register(fs)
	var sf serialFlags
	sf.register(fs)
	noTUI := fs.Bool("no-tui", false, "headless: read scanners (or standard input) and write one JSON line per verdict")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if !allowHeadless && *noTUI {
		return usagef("--no-tui goes with 'doorcheck run'")
	}
	// With no config file at all, the TUI starts in demo mode and offers
	// to provision the kiosk (firststart.go).
	first := firstStartOf(e, name, &kf)
	k, err := openKiosk(ctx, e, kf, false)
	if err != nil {
		return err
	}
	defer k.Close()
	sc, haveSerial, err := sf.serialConfig(k.cfg)
	if err != nil {
		return err
	}

	// The config's log (logging.go): headless mode may log to stderr;
	// the TUI owns the terminal, so its background work never writes
	// there.
	log, closeLog := kioskLog(e, k.cfg, *noTUI, logsink.JournalSocket)
	defer closeLog()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go pruneEvery(ctx, k, time.Hour, log)
	syncStatus := startSync(ctx, e, k, log) // nil: no hub configured
	scans := make(chan scanner.Scan, 16)
	events := make(chan scanner.Event, 16)
	var sources sync.WaitGroup
	if haveSerial {
		src, err := serial.New(sc)
		if err != nil {
			return err
		}
		sources.Add(1)
		out := first.intercept(ctx, scans) // enrollment codes to the screen on a first start
		go func() { defer sources.Done(); src.Run(ctx, out, events) }()
	}
	defer func() {
		cancel() // stop the sources, then wait for them
		sources.Wait()
	}()

	if *noTUI {
		return runHeadless(ctx, e, k, scans, events, !haveSerial, log)
	}
	return first.done(runScreen(ctx, e, k, scans, events, syncStatus, kf.demo, log, first))
}

// runHeadless writes exactly one JSON line per scan on stdout — a visit
// that could not be recorded is a "cannot_record" line, never silence —
// and scanner events as log lines on stderr. Without a serial scanner it
// reads payloads from standard input, one per line, and ends with it.
// Neither stream ever carries a payload: verdicts hold only the masked
// subject, and logs only sanitized error text.
func runHeadless(ctx context.Context, e *env, k *openedKiosk, scans chan scanner.Scan, events chan scanner.Event, fromStdin bool, log *slog.Logger) error {
	if fromStdin {
		// Standard input is the only source: when it ends, closing the
		// channel lets the loop check what is queued and return.
		src := stream.New("stdin", e.stdin, frame.Options{Terminator: frame.LF, Max: kiosk.MaxPayload})
		go func() {
			src.Run(ctx, scans, events)
			close(scans)
		}()
	}
	go func() {
		for {
			select {
			case ev := <-events:
				log.Info("scanner", "source", sanitize.Escape(ev.Source), "event", eventName(ev.Kind), "detail", sanitize.Escape(ev.Detail))
			case <-ctx.Done():
				return
			}
		}
	}()
	sink := headlessSink{enc: json.NewEncoder(e.stdout), log: log}
	err := k.checker.Run(ctx, scans, sink.write)
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	if err == nil && sink.recordErr != nil {
		return sink.recordErr
	}
	return err
}

// headlessSink turns each run-loop result into its one JSON line.
type headlessSink struct {
	enc       *json.Encoder
	log       *slog.Logger
	recordErr error // the last failure to record, for the exit status
}

func (s *headlessSink) write(r kiosk.Result) {
	v := r.Verdict
	logVerdict(s.log, v)
	if r.Err != nil {
		v = kiosk.Unrecorded(v, r.Source, r.Err)
		s.log.Error("cannot record visit", "source", sanitize.Escape(v.Source), "failure", v.Failure, "err", v.FailureDetail)
		if v.Failure != kiosk.FailInterrupted {
			s.recordErr = r.Err
		}
	}
	if err := s.enc.Encode(v); err != nil {
		s.log.Error("write verdict", "err", sanitize.Escape(err.Error()))
	}
}

// pruneEvery deletes visits the hub has acknowledged once they are older
// than the retention period, at start and then every interval.
func pruneEvery(ctx context.Context, k *openedKiosk, interval time.Duration, log *slog.Logger) {
	retention := k.cfg.Policy.Retention.Duration
	if retention <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := k.store.Prune(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
			log.Warn("prune old visits", "err", sanitize.Escape(err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func eventName(k scanner.EventKind) string {
	switch k {
	case scanner.Connected:
		return "connected"
	case scanner.Disconnected:
		return "disconnected"
	}
	return "dropped"
}

// wedgeOptions configures keyboard input. With wedge scanners disabled no
// run of fast keys counts as a scan: everything typed is the manual field.
func wedgeOptions(w config.Wedge, layouts []layout.Layout) wedge.Options {
	o := wedge.Options{Gap: w.Gap.Duration, Valid: pass.Recognised, Layouts: layouts}
	if !w.Enabled {
		// No two keys are ever fast enough to start a burst.
		o.BurstGap, o.MinBurst = time.Nanosecond, math.MaxInt
	}
	return o
}

// runScreen runs the full-screen TUI over the same run loop as the
// headless mode: serial scans and the TUI's keyboard-wedge scans share one
// channel, and each result is sent to the screen.
func runScreen(ctx context.Context, e *env, k *openedKiosk, scans chan scanner.Scan, events <-chan scanner.Event, status kiosk.SyncStatus, isDemo bool, log *slog.Logger, first *firstStart) error {
	var layouts []layout.Layout
	for _, name := range k.cfg.Scanner.Wedge.Layouts {
		if l, ok := layout.ByName(name); ok {
			layouts = append(layouts, l)
		}
	}
	set := k.checker.Settings()
	var samples []tui.DemoSample
	if isDemo {
		ds, err := demo.Samples(time.Now())
		if err != nil {
			return err
		}
		for _, d := range ds {
			samples = append(samples, tui.DemoSample{Label: d.Label, Payload: d.Payload, Expect: d.Expect})
		}
	}
	model := tui.New(ctx, tui.Options{
		Checker: k.checker,
		Submit: func(s scanner.Scan) {
			select {
			case scans <- s:
			case <-ctx.Done():
			}
		},
		Events:   events,
		Wedge:    first.wedge(wedgeOptions(k.cfg.Scanner.Wedge, layouts)),
		Location: set.Location,
		// The direction is the screen's own (it may be switched).
		Title: fmt.Sprintf("%s · %s", set.Venue, set.Door),
		Sync:  status,
		// The status bar's clock state: a wrong or jumped clock is
		// shown, never hidden behind a colour.
		Clock:     k.checker.ClockState,
		Demo:      isDemo,
		Samples:   samples,
		Venue:     set.Venue,
		Door:      set.Door,
		Direction: set.Direction.String(),
		Capacity:  set.Rules.Capacity,
		Lock:      lockOptions(e, k, isDemo), // adminpin.go
		Bell:      screenBells(k),            // screen.go
		Admin:     screenAdmin(k),
		Enroll:    first.options(), // firststart.go
	})
	p := tea.NewProgram(model, append(tui.ProgramOptions(), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))...)
	first.attach(p)
	go k.checker.Run(ctx, scans, func(r kiosk.Result) {
		logVerdict(log, r.Verdict)
		p.Send(tui.ResultMsg(r))
	})
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
