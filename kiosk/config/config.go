// Package config loads the kiosk's YAML config file: its identity (kiosk,
// venue, door, direction), venue policy, store path, pinned hub key and
// scanners.
//
// Loading is strict because a kiosk is set up once and then left alone: an
// unknown field is an error (a typo must not silently fall back to a
// default), and every problem in the file is reported at once, each naming
// its field path (and, for problems found while decoding, its line), so
// IT staff fix a file in one pass instead of one error per restart.
package config

import (
	"time"

	// A venue's time zone decides its schedules and its "today". Small
	// kiosk images often ship without /usr/share/zoneinfo, so the zone
	// database is compiled in (about 450 kB).
	_ "time/tzdata"

	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// Config is the whole file. Build one with Defaults, Demo, Load or Parse;
// a zero Config is not valid.
type Config struct {
	Kiosk   Kiosk   `yaml:"kiosk"`
	Policy  Policy  `yaml:"policy"`
	Store   Store   `yaml:"store"`
	Hub     Hub     `yaml:"hub"`
	Scanner Scanner `yaml:"scanner"`

	// demo marks the built-in demo config, the one config allowed to pin
	// the demo hub key (whose private half is public knowledge).
	demo bool
}

// Kiosk is who this kiosk is. All three names are required; they go into
// every visit record sent upstream.
type Kiosk struct {
	ID        string           `yaml:"id"`
	Venue     string           `yaml:"venue"`
	Door      string           `yaml:"door"`
	Direction policy.Direction `yaml:"direction"` // entry (default) or exit
}

// Policy is the venue's rules and the kiosk's timings.
type Policy struct {
	Admitted Statuses       `yaml:"admitted"` // standard | test-required | [green, blue] …
	Schedule []ScheduleRule `yaml:"schedule"`
	Capacity int            `yaml:"capacity"` // 0: unlimited
	Reentry  string         `yaml:"reentry"`  // warn | deny
	Stale    string         `yaml:"stale"`    // warn | deny
	MaxAge   Duration       `yaml:"max_age"`  // 0: the snapshot never counts as stale
	// MaxDataAge is the hard limit: older status data decides nothing
	// (NOT VERIFIED data_too_old, whatever Stale says). It cannot be
	// turned off.
	MaxDataAge Duration `yaml:"max_data_age"`
	// ClockJump is how far the wall clock may move against the monotonic
	// clock while the kiosk runs before verdicts carry clock_jumped.
	ClockJump  Duration `yaml:"clock_jump"`
	Debounce   Duration `yaml:"debounce"`
	ClockSkew  Duration `yaml:"clock_skew"`
	Retention  Duration `yaml:"retention"` // 0: keep acknowledged visits forever
	UndoWindow Duration `yaml:"undo_window"`
	TimeZone   string   `yaml:"time_zone"` // IANA name, or Local
}

// ScheduleRule is policy.ScheduleRule as written in YAML.
type ScheduleRule struct {
	Name     string   `yaml:"name"`
	Days     []string `yaml:"days"` // mon … sun, monday … sunday, weekdays, weekend; empty: every day
	From     string   `yaml:"from"` // "HH:MM"; from and to go together; both empty: all day
	To       string   `yaml:"to"`
	Admitted Statuses `yaml:"admitted"` // required
}

// Store says where the kiosk's two bbolt files live: the visit log at
// Path and the snapshot beside it (docs/storage.md).
type Store struct {
	// Path is the visit file. It is absolute after Load or Parse: a
	// relative path in the file is taken relative to the file's
	// directory, not the working directory, so a kiosk finds its data
	// whoever starts it.
	Path string `yaml:"path"`
	// SnapshotPath is the snapshot file; empty: beside Path, with
	// ".snapshot" before its extension (doorcheck.db →
	// doorcheck.snapshot.db). Relative paths as for Path.
	SnapshotPath string `yaml:"snapshot_path"`
}

// Hub is the upstream hub and the key its snapshots must be signed with.
type Hub struct {
	URL string `yaml:"url"` // empty: no hub; snapshots arrive by file
	// KeyID, when set, must be the id of PublicKey (wire.KeyIDOf): a
	// second spelling that catches a key pasted from the wrong hub.
	KeyID string `yaml:"key_id"`
	// PublicKey is the hub's Ed25519 key, base64. Required: a kiosk
	// trusts no snapshot that does not verify with it.
	PublicKey string `yaml:"public_key"`
	// CredentialFile holds the kiosk's hub credential (KIOSK.SECRET, as
	// `doorcheck provision` writes it, mode 0600). Relative paths as for
	// store.path. The environment variable DOORCHECK_HUB_CREDENTIAL, when
	// set, is used instead of the file.
	CredentialFile string `yaml:"credential_file"`
}

// Scanner configures the scanners.
type Scanner struct {
	Serial Serial `yaml:"serial"`
	Wedge  Wedge  `yaml:"wedge"`
}

// Serial is one serial scanner; Port empty means none (a --serial flag may
// still name one, so the other fields are validated either way).
type Serial struct {
	Port        string   `yaml:"port"`
	Baud        int      `yaml:"baud"`
	DataBits    int      `yaml:"data_bits"`
	Parity      string   `yaml:"parity"`     // none | odd | even | mark | space
	StopBits    string   `yaml:"stop_bits"`  // 1 | 1.5 | 2 (1.5 cannot be set on Linux; the serial scanner refuses it there)
	Terminator  string   `yaml:"terminator"` // cr | lf | crlf | none
	Gap         Duration `yaml:"gap"`        // idle time that ends a code sent without a terminator
	Prefix      string   `yaml:"prefix"`
	Suffix      string   `yaml:"suffix"`
	Symbologies []string `yaml:"symbologies"` // AIM ids such as "]Q1", or "]Q" for any modifier; empty: all
	MaxLength   int      `yaml:"max_length"`
}

// Wedge configures keyboard-wedge input in the TUI.
type Wedge struct {
	// Enabled lets typed input that looks like a scan count as one. A
	// guard's handheld with a serial scanner may turn it off so stray
	// key presses are never scans.
	Enabled bool     `yaml:"enabled"`
	Gap     Duration `yaml:"gap"`
	Layouts []string `yaml:"layouts"` // us | ru | kk
}

// DefaultStorePath is where a provisioned kiosk keeps its data.
const DefaultStorePath = "/var/lib/doorcheck/doorcheck.db"

// Defaults returns a config with every default filled in and no identity
// and no hub key, so it is not valid until those are set.
func Defaults() *Config {
	return &Config{
		Kiosk: Kiosk{Direction: policy.Entry},
		Policy: Policy{
			Admitted:   Statuses{"standard"},
			Reentry:    "warn",
			Stale:      "warn",
			MaxAge:     Duration{24 * time.Hour},
			MaxDataAge: Duration{policy.DefaultMaxDataAge},
			ClockJump:  Duration{24 * time.Hour},
			Debounce:   Duration{1500 * time.Millisecond},
			ClockSkew:  Duration{60 * time.Second},
			Retention:  Duration{30 * 24 * time.Hour},
			UndoWindow: Duration{5 * time.Minute},
			TimeZone:   "Local",
		},
		Store: Store{Path: DefaultStorePath},
		Scanner: Scanner{
			Serial: Serial{Baud: 9600, DataBits: 8, Parity: "none", StopBits: "1", Terminator: "cr",
				Gap: Duration{50 * time.Millisecond}, MaxLength: 4096},
			Wedge: Wedge{Enabled: true, Gap: Duration{50 * time.Millisecond}, Layouts: []string{"us", "ru", "kk"}},
		},
	}
}
