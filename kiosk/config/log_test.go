package config

import (
	"log/slog"
	"testing"
)

// TestLogSection: the log section's defaults, a valid choice (a relative
// file taken beside the config), and every invalid one at its field and
// line.
func TestLogSection(t *testing.T) {
	c, err := Parse([]byte(minimal), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if c.Log != (Log{Level: "info", MaxSize: 8 << 20}) || c.Log.SlogLevel() != slog.LevelInfo {
		t.Errorf("defaults: %+v", c.Log)
	}
	c, err = Parse([]byte(minimal+"log:\n  file: kiosk.log\n  level: debug\n  max_size: 512kB\n"), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if c.Log != (Log{File: "/etc/doorcheck/kiosk.log", Level: "debug", MaxSize: 512 << 10}) || c.Log.SlogLevel() != slog.LevelDebug {
		t.Errorf("set: %+v", c.Log)
	}
	for in, want := range map[string]ByteSize{"65536": 65536, "64kB": 64 << 10, "64KiB": 64 << 10, "2MB": 2 << 20, "1GiB": 1 << 30, "100 B": 100} {
		if got, err := ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	tests := []struct {
		name, log string
		field     string
		line      int
	}{
		{"unknown level", "log:\n  level: verbose\n", "log.level", 4},
		{"too small", "log:\n  max_size: 1kB\n", "log.max_size", 4},
		{"too large", "log:\n  max_size: 2GB\n", "log.max_size", 4},
		{"not a size", "log:\n  max_size: lots\n", "log.max_size", 4},
		{"a directory", "log:\n  file: /var/log/\n", "log.file", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal+tt.log), "/etc/doorcheck")
			ps := Problems(err)
			if len(ps) != 1 {
				t.Fatalf("problems %v, want one at %s", ps, tt.field)
			}
			if ps[0].Field != tt.field || ps[0].Line != tt.line {
				t.Errorf("problem %q at %s line %d, want %s line %d", ps[0].Text, ps[0].Field, ps[0].Line, tt.field, tt.line)
			}
		})
	}
}
