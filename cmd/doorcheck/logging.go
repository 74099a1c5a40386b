package main

import (
	"io"
	"log/slog"
	"path/filepath"

	"github.com/doorcheck/doorcheck/internal/logsink"
	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// fallbackLogName is the TUI's log file, beside the visit store, when
// log.file is empty and there is no journal to send to.
const fallbackLogName = "doorcheck.log"

// kioskLog is the kiosk's logger as cfg.Log sets it: log.file when set
// (size-bounded, rotating to FILE.1), otherwise standard error when
// headless, and for the TUI — whose terminal must never be written to —
// journald's socket at journal, or doorcheck.log beside the store when
// there is no journal. Every handler is wrapped in logsink.Sanitized.
// A log file that cannot be opened does not stop the kiosk: it logs to
// the next choice and says so there (with nowhere at all, the TUI runs
// unlogged). close releases the file or socket.
func kioskLog(e *env, cfg *config.Config, headless bool, journal string) (log *slog.Logger, close func()) {
	var err error
	opts := &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}
	max := int64(cfg.Log.MaxSize)
	if cfg.Log.File != "" {
		f, ferr := logsink.OpenFile(cfg.Log.File, max)
		if ferr == nil {
			return slog.New(logsink.Sanitized(slog.NewTextHandler(f, opts))), func() { f.Close() }
		}
		err = ferr
	}
	var (
		h      slog.Handler
		closer io.Closer
	)
	switch {
	case headless:
		h = slog.NewTextHandler(e.stderr, opts)
	default:
		if j, jerr := logsink.DialJournal(journal, "doorcheck", opts.Level); jerr == nil {
			h, closer = j, j
			break
		}
		path := filepath.Join(filepath.Dir(cfg.Store.Path), fallbackLogName)
		if cfg.Log.File != "" && filepath.Clean(cfg.Log.File) == filepath.Clean(path) {
			path += ".fallback"
		}
		f, ferr := logsink.OpenFile(path, max)
		if ferr != nil {
			return slog.New(slog.DiscardHandler), func() {}
		}
		h, closer = slog.NewTextHandler(f, opts), f
	}
	log = slog.New(logsink.Sanitized(h))
	if err != nil {
		log.Error("log.file cannot be written: logging here instead", "file", cfg.Log.File, "err", err.Error())
	}
	return log, func() {
		if closer != nil {
			closer.Close()
		}
	}
}

// logVerdict writes one debug line per decision: what was decided and
// why, from where, never the payload, the subject or an IIN's digits.
func logVerdict(log *slog.Logger, v kiosk.Verdict) {
	reasons := make([]string, len(v.Reasons))
	for i, r := range v.Reasons {
		reasons[i] = string(r)
	}
	log.Debug("verdict", "decision", string(v.Decision), "kind", string(v.Kind), "direction", v.Direction.String(),
		"reasons", reasons, "source", sanitize.Escape(v.Source), "snapshot", v.SnapshotVersion, "repeat", v.Repeat)
}
