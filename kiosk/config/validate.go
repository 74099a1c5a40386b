package config

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// Limits on the values Validate accepts. Each stops a setting that could
// only be a mistake.
const (
	maxNameLen     = 64                  // kiosk, venue and door names, schedule rule names
	maxDebounce    = time.Minute         // longer would swallow a genuine second visit
	maxClockSkew   = 2 * time.Hour       // the clock warning threshold of comparable verifiers
	minMaxDataAge  = time.Hour           // shorter refuses between two hourly snapshots
	maxMaxDataAge  = 90 * 24 * time.Hour // statuses last days to weeks: a season-old list says nothing
	minClockJump   = time.Minute         // shorter flags ordinary NTP steps
	minRetention   = 24 * time.Hour      // today's visits stay for presence, undo and counts
	maxUndoWindow  = time.Hour           // an undo is for a turnstile that did not turn
	maxScanGap     = 2 * time.Second     // longer merges separate scans into one
	maxBaud        = 4_000_000           // beyond any serial scanner
	maxScanLength  = 64 << 10            // far beyond any QR code
	maxScanLayouts = 8                   // a handful of keyboard layouts at most
)

// wedgeLayouts are the keyboard layouts scanner/layout knows by name.
func wedgeLayouts() []string { return []string{"us", "ru", "kk"} }

// Validate reports every invalid field, each error starting with the
// field's path ("policy.reentry: want warn or deny, got \"maybe\""),
// joined with errors.Join. Configs built in code are checked the same way
// as loaded ones.
func (c *Config) Validate() error {
	var p problems
	c.validateKiosk(&p)
	c.validatePolicy(&p)
	c.validateStore(&p)
	c.validateHub(&p)
	c.validateScanner(&p)
	c.validateDCC(&p)
	c.validateUI(&p)
	c.validateLog(&p)
	for i, e := range p {
		p[i] = fieldProblem(e)
	}
	return errors.Join(p...)
}

func (c *Config) validateStore(p *problems) {
	st := c.Store
	if strings.TrimSpace(st.Path) == "" {
		p.add("store.path", "is required")
	}
	if st.SnapshotPath == "" {
		return
	}
	switch {
	case strings.TrimSpace(st.SnapshotPath) != st.SnapshotPath || strings.HasSuffix(st.SnapshotPath, "/"):
		p.add("store.snapshot_path", "want a file path, got %q", st.SnapshotPath)
	case filepath.Clean(st.SnapshotPath) == filepath.Clean(st.Path):
		p.add("store.snapshot_path", "must differ from store.path: the snapshot and the visit log are separate files")
	}
}

// problems collects field errors.
type problems []error

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, &Problem{Field: field, Text: fmt.Sprintf(format, args...)})
}

func (c *Config) validateKiosk(p *problems) {
	name(p, "kiosk.id", c.Kiosk.ID, true)
	name(p, "kiosk.venue", c.Kiosk.Venue, true)
	name(p, "kiosk.door", c.Kiosk.Door, true)
	if d := c.Kiosk.Direction; d != policy.Entry && d != policy.Exit {
		p.add("kiosk.direction", "want entry or exit, got %v", d)
	}
}

// name checks a name that is shown on screens and sent upstream.
func name(p *problems, field, s string, required bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			p.add(field, "is required")
		}
	case len(s) > maxNameLen:
		p.add(field, "at most %d bytes, got %d", maxNameLen, len(s))
	case !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		p.add(field, "must be printable text, got %q", s)
	}
}

func (c *Config) validatePolicy(p *problems) {
	pol := c.Policy
	if _, err := pol.Admitted.Set(); err != nil {
		p.add("policy.admitted", "%v", err)
	}
	for i, s := range pol.Schedule {
		field := fmt.Sprintf("policy.schedule[%d]", i)
		name(p, field+".name", s.Name, false)
		if _, err := s.rule(); err != nil {
			*p = append(*p, fmt.Errorf("%s.%w", field, err))
		}
	}
	if pol.Capacity < 0 {
		p.add("policy.capacity", "want 0 (unlimited) or more, got %d", pol.Capacity)
	}
	if _, err := policy.ParseMode(pol.Reentry); err != nil {
		p.add("policy.reentry", "want warn or deny, got %q", pol.Reentry)
	}
	if _, err := policy.ParseMode(pol.Stale); err != nil {
		p.add("policy.stale", "want warn or deny, got %q", pol.Stale)
	}
	checkDurations(p, []durationLimit{
		{"policy.max_age", pol.MaxAge.Duration, 0},
		{"policy.debounce", pol.Debounce.Duration, maxDebounce},
		{"policy.clock_skew", pol.ClockSkew.Duration, maxClockSkew},
		{"policy.undo_window", pol.UndoWindow.Duration, maxUndoWindow},
		{"policy.max_data_age", pol.MaxDataAge.Duration, maxMaxDataAge},
		{"policy.clock_jump", pol.ClockJump.Duration, maxMaxDataAge},
	})
	if d := pol.MaxDataAge.Duration; d >= 0 && d < minMaxDataAge {
		p.add("policy.max_data_age", "at least %s, got %s (the hard limit cannot be turned off)", minMaxDataAge, d)
	}
	if d := pol.MaxAge.Duration; d > 0 && pol.MaxDataAge.Duration >= minMaxDataAge && d > pol.MaxDataAge.Duration {
		p.add("policy.max_age", "%s is beyond policy.max_data_age (%s): data would be refused before it counted as stale", d, pol.MaxDataAge.Duration)
	}
	if d := pol.ClockJump.Duration; d >= 0 && d < minClockJump {
		p.add("policy.clock_jump", "at least %s, got %s", minClockJump, d)
	}
	if r := pol.Retention.Duration; r != 0 && r < minRetention {
		p.add("policy.retention", "0 (keep forever) or at least %s, got %s", minRetention, r)
	}
	if msg := retention32(pol.Retention.Duration, strconv.IntSize); msg != "" {
		p.add("policy.retention", "%s", msg)
	}
	if _, err := c.Location(); err != nil {
		p.add("policy.time_zone", "%v", err)
	}
}

// durationLimit bounds one duration field; max 0 means no upper bound.
type durationLimit struct {
	field string
	d     time.Duration
	max   time.Duration
}

func checkDurations(p *problems, limits []durationLimit) {
	for _, l := range limits {
		switch {
		case l.d < 0:
			p.add(l.field, "must not be negative, got %s", l.d)
		case l.max > 0 && l.d > l.max:
			p.add(l.field, "at most %s, got %s", l.max, l.d)
		}
	}
}

func (c *Config) validateHub(p *problems) {
	if u := c.Hub.URL; u != "" {
		parsed, err := url.Parse(u)
		if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
			p.add("hub.url", "want an http or https URL like https://hub.example.org, got %q", u)
		}
	}
	if c.Hub.CredentialFile != "" && c.Hub.URL == "" {
		p.add("hub.credential_file", "is set but hub.url is not: a credential is only for a hub")
	}
	key, err := c.HubKey()
	if err != nil {
		*p = append(*p, err) // HubKey names the field
		return
	}
	if !c.demo && subtle.ConstantTimeCompare(key, demo.HubPublicKey()) == 1 {
		p.add("hub.public_key", "is the built-in demo key, whose private half is public: pin your hub's key")
	}
	if c.Hub.KeyID != "" {
		id, err := wire.ParseKeyID(c.Hub.KeyID)
		switch {
		case err != nil:
			p.add("hub.key_id", "want %d hex digits, got %q", 2*wire.KeyIDSize, c.Hub.KeyID)
		case id != wire.KeyIDOf(key):
			p.add("hub.key_id", "%s is not the id of hub.public_key (%s): is the key from another hub?", id, wire.KeyIDOf(key))
		}
	}
}

func (c *Config) validateScanner(p *problems) {
	s := c.Scanner.Serial
	if s.Port != "" && !utf8.ValidString(s.Port) {
		p.add("scanner.serial.port", "not valid text: %q", s.Port)
	}
	if s.Baud <= 0 || s.Baud > maxBaud {
		p.add("scanner.serial.baud", "want 1 to %d, got %d", maxBaud, s.Baud)
	}
	if s.DataBits < 5 || s.DataBits > 8 {
		p.add("scanner.serial.data_bits", "want 5 to 8, got %d", s.DataBits)
	}
	if !slices.Contains([]string{"none", "odd", "even", "mark", "space"}, s.Parity) {
		p.add("scanner.serial.parity", "want none, odd, even, mark or space, got %q", s.Parity)
	}
	if !slices.Contains([]string{"1", "1.5", "2"}, s.StopBits) {
		p.add("scanner.serial.stop_bits", "want 1, 1.5 or 2, got %q", s.StopBits)
	}
	terminators := map[string]string{"cr": "\r", "lf": "\n", "crlf": "\r\n", "none": ""}
	term, ok := terminators[s.Terminator]
	if !ok {
		p.add("scanner.serial.terminator", "want cr, lf, crlf or none, got %q", s.Terminator)
	}
	if term != "" && (strings.ContainsAny(s.Prefix, term) || strings.ContainsAny(s.Suffix, term)) {
		p.add("scanner.serial.prefix", "prefix %q or suffix %q holds the terminator, which would end every code early", s.Prefix, s.Suffix)
	}
	for i, sym := range s.Symbologies {
		if !isAIM(sym) {
			p.add(fmt.Sprintf("scanner.serial.symbologies[%d]", i), "want an AIM identifier like ]Q1 (or ]Q for any modifier), got %q", sym)
		}
	}
	checkDurations(p, []durationLimit{
		{"scanner.serial.gap", s.Gap.Duration, maxScanGap},
		{"scanner.wedge.gap", c.Scanner.Wedge.Gap.Duration, maxScanGap},
	})
	if s.MaxLength <= 0 || s.MaxLength > maxScanLength {
		p.add("scanner.serial.max_length", "want 1 to %d, got %d", maxScanLength, s.MaxLength)
	}
	w := c.Scanner.Wedge
	if len(w.Layouts) > maxScanLayouts {
		p.add("scanner.wedge.layouts", "at most %d layouts, got %d", maxScanLayouts, len(w.Layouts))
	}
	for i, l := range w.Layouts {
		if !slices.Contains(wedgeLayouts(), l) {
			p.add(fmt.Sprintf("scanner.wedge.layouts[%d]", i), "unknown layout %q (want %s)", l, strings.Join(wedgeLayouts(), ", "))
		}
	}
}

// isAIM reports whether s is an AIM symbology identifier: "]", a letter
// for the symbology, and optionally a letter or digit for the modifier.
// It matches scanner/frame's rule.
func isAIM(s string) bool {
	letter := func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
	if (len(s) != 2 && len(s) != 3) || s[0] != ']' || !letter(s[1]) {
		return false
	}
	return len(s) == 2 || letter(s[2]) || s[2] >= '0' && s[2] <= '9'
}

// maxRetention32 bounds the visit log's retention on a 32-bit board,
// where bbolt can map at most 2 GB of a file. A busy door records about
// 10,000 visits a day at roughly 1 kB each on disk (record, outbox and
// counters, half-full pages): 60 days is about 600 MB, well clear of the
// limit (docs/appliance.md).
const maxRetention32 = 60 * 24 * time.Hour

// retention32 is the problem with retention r on a board whose int has
// intSize bits, or "". Keeping visits forever is refused there: the file
// would grow until bbolt could no longer map it and the kiosk stopped.
func retention32(r time.Duration, intSize int) string {
	if intSize != 32 {
		return ""
	}
	switch {
	case r == 0:
		return fmt.Sprintf("0 (keep forever) is refused on a 32-bit board, where the visit log must stay under bbolt's 2 GB map: at most %s", maxRetention32)
	case r > maxRetention32:
		return fmt.Sprintf("at most %s on a 32-bit board (bbolt maps at most 2 GB), got %s", maxRetention32, r)
	}
	return ""
}
