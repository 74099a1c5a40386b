// Package config loads the kiosk's YAML config file: its identity (kiosk,
// venue, door, direction), venue policy, store path, pinned hub key and
// scanners. Loading reports every problem at once, each naming its field.
package config

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Config is the whole file.
type Config struct {
	Kiosk   Kiosk   `yaml:"kiosk"`
	Policy  Policy  `yaml:"policy"`
	Store   Store   `yaml:"store"`
	Hub     Hub     `yaml:"hub"`
	Scanner Scanner `yaml:"scanner"`
}

// Kiosk is who this kiosk is.
type Kiosk struct {
	ID        string           `yaml:"id"`
	Venue     string           `yaml:"venue"`
	Door      string           `yaml:"door"`
	Direction policy.Direction `yaml:"direction"`
}

// Policy is the venue's rules and the kiosk's timings.
type Policy struct {
	Admitted   string         `yaml:"admitted"` // standard | test-required | green,blue,…
	Schedule   []ScheduleRule `yaml:"schedule"`
	Capacity   int            `yaml:"capacity"`
	Reentry    string         `yaml:"reentry"` // warn | deny
	Stale      string         `yaml:"stale"`   // warn | deny
	MaxAge     Duration       `yaml:"max_age"`
	Debounce   Duration       `yaml:"debounce"`
	ClockSkew  Duration       `yaml:"clock_skew"`
	Retention  Duration       `yaml:"retention"`
	UndoWindow Duration       `yaml:"undo_window"`
	TimeZone   string         `yaml:"time_zone"`
}

// ScheduleRule is policy.ScheduleRule as written in YAML.
type ScheduleRule struct {
	Name     string   `yaml:"name"`
	Days     []string `yaml:"days"`
	From     string   `yaml:"from"`
	To       string   `yaml:"to"`
	Admitted string   `yaml:"admitted"`
}

// Store says where the bbolt file lives.
type Store struct {
	Path string `yaml:"path"`
}

// Hub is the upstream hub and the key its snapshots must be signed with.
type Hub struct {
	URL       string `yaml:"url"`
	PublicKey string `yaml:"public_key"` // base64 Ed25519
}

// Scanner configures the scanners.
type Scanner struct {
	Serial Serial `yaml:"serial"`
	Wedge  Wedge  `yaml:"wedge"`
}

// Serial is one serial scanner; Port empty means none.
type Serial struct {
	Port        string   `yaml:"port"`
	Baud        int      `yaml:"baud"`
	DataBits    int      `yaml:"data_bits"`
	Parity      string   `yaml:"parity"`
	StopBits    string   `yaml:"stop_bits"`
	Terminator  string   `yaml:"terminator"`
	Gap         Duration `yaml:"gap"`
	Prefix      string   `yaml:"prefix"`
	Suffix      string   `yaml:"suffix"`
	Symbologies []string `yaml:"symbologies"`
	MaxLength   int      `yaml:"max_length"`
}

// Wedge configures keyboard-wedge input in the TUI.
type Wedge struct {
	Gap     Duration `yaml:"gap"`
	Layouts []string `yaml:"layouts"`
}

// Duration is a time.Duration written as "24h", "1500ms".
type Duration struct{ time.Duration }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 90s, 1500ms or 24h", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.Duration.String(), nil }

// DefaultStorePath is where a provisioned kiosk keeps its data.
const DefaultStorePath = "/var/lib/doorcheck/doorcheck.db"

// Defaults returns a config with every default filled in and no identity.
func Defaults() *Config {
	return &Config{
		Kiosk: Kiosk{Direction: policy.Entry},
		Policy: Policy{
			Admitted:   "standard",
			Reentry:    "warn",
			Stale:      "warn",
			MaxAge:     Duration{24 * time.Hour},
			Debounce:   Duration{1500 * time.Millisecond},
			ClockSkew:  Duration{60 * time.Second},
			Retention:  Duration{30 * 24 * time.Hour},
			UndoWindow: Duration{5 * time.Minute},
			TimeZone:   "Local",
		},
		Store: Store{Path: DefaultStorePath},
		Scanner: Scanner{
			Serial: Serial{Baud: 9600, DataBits: 8, Parity: "none", StopBits: "1", Terminator: "cr", Gap: Duration{50 * time.Millisecond}, MaxLength: 4096},
			Wedge:  Wedge{Gap: Duration{50 * time.Millisecond}, Layouts: []string{"us", "ru", "kk"}},
		},
	}
}

// Demo returns the settings of `--demo`: a standard entry door with demo
// identity. The caller sets the store path.
func Demo() *Config {
	c := Defaults()
	c.Kiosk = Kiosk{ID: "demo-kiosk", Venue: "demo-venue", Door: "main", Direction: policy.Entry}
	c.Policy.Capacity = 50
	return c
}

// Load reads and validates a config file. A relative store path is taken
// relative to the file's directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates config text; dir resolves a relative store
// path. Unknown fields are errors, so a typo does not silently fall back to
// a default.
func Parse(data []byte, dir string) (*Config, error) {
	c := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file is all defaults, which Validate then rejects for
	// lacking an identity.
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if c.Store.Path != "" && !filepath.IsAbs(c.Store.Path) {
		c.Store.Path = filepath.Join(dir, c.Store.Path)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate reports every invalid field, each named by its path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	for field, v := range map[string]string{"kiosk.id": c.Kiosk.ID, "kiosk.venue": c.Kiosk.Venue, "kiosk.door": c.Kiosk.Door} {
		if strings.TrimSpace(v) == "" {
			bad(field, "is required")
		}
	}
	if _, err := policy.ParseStatusSet(c.Policy.Admitted); err != nil {
		bad("policy.admitted", "want standard, test-required or a list like green,blue: %v", err)
	}
	for i, s := range c.Policy.Schedule {
		if _, err := s.rule(); err != nil {
			bad(fmt.Sprintf("policy.schedule[%d]", i), "%v", err)
		}
	}
	if c.Policy.Capacity < 0 {
		bad("policy.capacity", "must be 0 (unlimited) or more, got %d", c.Policy.Capacity)
	}
	if _, err := policy.ParseMode(c.Policy.Reentry); err != nil {
		bad("policy.reentry", "want warn or deny, got %q", c.Policy.Reentry)
	}
	if _, err := policy.ParseMode(c.Policy.Stale); err != nil {
		bad("policy.stale", "want warn or deny, got %q", c.Policy.Stale)
	}
	if c.Policy.UndoWindow.Duration > time.Hour {
		bad("policy.undo_window", "at most 1h, got %s", c.Policy.UndoWindow)
	}
	if _, err := c.Location(); err != nil {
		bad("policy.time_zone", "%v", err)
	}
	if c.Store.Path == "" {
		bad("store.path", "is required")
	}
	if c.Hub.PublicKey != "" {
		if _, err := c.HubKey(); err != nil {
			bad("hub.public_key", "%v", err)
		}
	}
	s := c.Scanner.Serial
	if s.Port != "" {
		if s.Baud <= 0 {
			bad("scanner.serial.baud", "must be positive, got %d", s.Baud)
		}
		if s.DataBits < 5 || s.DataBits > 8 {
			bad("scanner.serial.data_bits", "want 5 to 8, got %d", s.DataBits)
		}
		if !oneOf(s.Parity, "none", "odd", "even", "mark", "space") {
			bad("scanner.serial.parity", "want none, odd, even, mark or space, got %q", s.Parity)
		}
		if !oneOf(s.StopBits, "1", "1.5", "2") {
			bad("scanner.serial.stop_bits", "want 1, 1.5 or 2, got %q", s.StopBits)
		}
		if !oneOf(s.Terminator, "cr", "lf", "crlf", "none") {
			bad("scanner.serial.terminator", "want cr, lf, crlf or none, got %q", s.Terminator)
		}
		if s.MaxLength <= 0 || s.MaxLength > 64<<10 {
			bad("scanner.serial.max_length", "want 1 to 65536, got %d", s.MaxLength)
		}
	}
	for _, l := range c.Scanner.Wedge.Layouts {
		if !oneOf(l, "us", "ru", "kk") {
			bad("scanner.wedge.layouts", "unknown layout %q (want us, ru, kk)", l)
		}
	}
	return errors.Join(errs...)
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// Rules returns the venue policy.
func (c *Config) Rules() (policy.Rules, error) {
	admitted, err := policy.ParseStatusSet(c.Policy.Admitted)
	if err != nil {
		return policy.Rules{}, err
	}
	r := policy.Rules{Admitted: admitted, Capacity: c.Policy.Capacity, MaxAge: c.Policy.MaxAge.Duration}
	if r.Reentry, err = policy.ParseMode(c.Policy.Reentry); err != nil {
		return policy.Rules{}, fmt.Errorf("policy.reentry: %w", err)
	}
	if r.Stale, err = policy.ParseMode(c.Policy.Stale); err != nil {
		return policy.Rules{}, fmt.Errorf("policy.stale: %w", err)
	}
	for i, s := range c.Policy.Schedule {
		rule, err := s.rule()
		if err != nil {
			return policy.Rules{}, fmt.Errorf("policy.schedule[%d]: %w", i, err)
		}
		r.Schedule = append(r.Schedule, rule)
	}
	return r, nil
}

// Location returns the venue's time zone.
func (c *Config) Location() (*time.Location, error) {
	if c.Policy.TimeZone == "" || c.Policy.TimeZone == "Local" {
		return time.Local, nil
	}
	return time.LoadLocation(c.Policy.TimeZone)
}

// HubKey returns the pinned hub key. A kiosk without one cannot import
// snapshots (the demo pins its own key instead).
func (c *Config) HubKey() (ed25519.PublicKey, error) {
	if c.Hub.PublicKey == "" {
		return nil, errors.New("hub.public_key: no hub key pinned; snapshots cannot be verified")
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.Hub.PublicKey))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("want %d bytes of base64 (an Ed25519 public key)", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// HubKeyID is the id of the pinned hub key, for display.
func (c *Config) HubKeyID() string {
	k, err := c.HubKey()
	if err != nil {
		return ""
	}
	return wire.KeyIDOf(k).String()
}

// weekday parses a day name by its first three letters (mon, Tuesday…).
func weekday(name string) (time.Weekday, bool) {
	key := strings.ToLower(name)
	if len(key) > 3 {
		key = key[:3]
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.ToLower(d.String()[:3]) == key {
			return d, true
		}
	}
	return 0, false
}

func (s ScheduleRule) rule() (policy.ScheduleRule, error) {
	r := policy.ScheduleRule{Name: s.Name}
	var err error
	if r.Admitted, err = policy.ParseStatusSet(s.Admitted); err != nil {
		return r, fmt.Errorf("admitted: %w", err)
	}
	for _, d := range s.Days {
		wd, ok := weekday(d)
		if !ok {
			return r, fmt.Errorf("days: %q is not a weekday", d)
		}
		r.Days = append(r.Days, wd)
	}
	if (s.From == "") != (s.To == "") {
		return r, errors.New("from and to go together")
	}
	if s.From != "" {
		if r.From, err = policy.ParseClockTime(s.From); err != nil {
			return r, fmt.Errorf("from: %w", err)
		}
		if r.To, err = policy.ParseClockTime(s.To); err != nil {
			return r, fmt.Errorf("to: %w", err)
		}
	}
	return r, nil
}
