package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Log is the kiosk's own log: structured lines (log/slog) with no
// personal identifier and no payload, to a file or the journal. The
// terminal belongs to the TUI, so a running TUI never logs to it.
type Log struct {
	// File is the log file. Empty: the journal (the TUI sends to
	// journald's socket; without one it writes doorcheck.log beside the
	// visit store), and standard error for `doorcheck run --no-tui`,
	// which systemd sends to the journal. Relative paths as for
	// store.path.
	File string `yaml:"file"`
	// Level is the least severe record written: debug | info | warn |
	// error. debug adds one line per verdict (decision, kind, reasons;
	// never the payload or the subject).
	Level string `yaml:"level"`
	// MaxSize bounds the log file (log.file, or the TUI's doorcheck.log)
	// without logrotate: when a record would
	// take the file past it, the file becomes FILE.1 (replacing the
	// previous one) and a new file is started, so the log never takes
	// more than twice this. 16kB to 1GB, written like 8MB, 512kB or a
	// number of bytes.
	MaxSize ByteSize `yaml:"max_size"`
}

// Limits on log.max_size.
const (
	minLogSize = 16 << 10 // fewer lines than that explain nothing
	maxLogSize = 1 << 30
)

func defaultLog() Log { return Log{Level: "info", MaxSize: 8 << 20} }

func (c *Config) validateLog(p *problems) {
	if _, ok := logLevels()[c.Log.Level]; !ok {
		p.add("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.MaxSize < minLogSize || c.Log.MaxSize > maxLogSize {
		p.add("log.max_size", "want 16kB to 1GB, got %s", c.Log.MaxSize)
	}
	if f := c.Log.File; f != "" && (strings.TrimSpace(f) != f || strings.HasSuffix(f, "/")) {
		p.add("log.file", "want a file path, got %q", f)
	}
}

func logLevels() map[string]slog.Level {
	return map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
}

// SlogLevel is log.level as a slog level (info when not valid, which
// Validate refuses).
func (l Log) SlogLevel() slog.Level {
	if v, ok := logLevels()[l.Level]; ok {
		return v
	}
	return slog.LevelInfo
}

// ByteSize is a number of bytes written as 8MB, 512kB, 1GB (powers of
// 1024; KiB, MiB and GiB mean the same) or a plain number.
type ByteSize int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"kB", 1 << 10}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1},
}

// ParseByteSize reads a size as ByteSize documents it.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size like 8MB, 512kB or 65536", s)
	}
	return ByteSize(n * mult), nil
}

// UnmarshalYAML implements yaml.Unmarshaler; a bad value is a
// *yaml.TypeError, so decoding goes on.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return typeError(n, fmt.Sprintf("%q is not a size like 8MB, 512kB or 65536", n.Value))
	}
	*b = v
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }

// String writes the size in the largest unit that divides it.
func (b ByteSize) String() string {
	switch {
	case b != 0 && b%(1<<30) == 0:
		return strconv.FormatInt(int64(b>>30), 10) + "GB"
	case b != 0 && b%(1<<20) == 0:
		return strconv.FormatInt(int64(b>>20), 10) + "MB"
	case b != 0 && b%(1<<10) == 0:
		return strconv.FormatInt(int64(b>>10), 10) + "kB"
	}
	return strconv.FormatInt(int64(b), 10)
}
