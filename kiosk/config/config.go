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
	DCC     DCC     `yaml:"dcc"`
	UI      UI      `yaml:"ui"`
	Log     Log     `yaml:"log"`

	// demo marks the built-in demo config, the one config allowed to pin
	// the demo hub key (whose private half is public knowledge).
	demo bool
}

// Kiosk is who this kiosk is. All three names are required; they go into
// every visit record sent upstream.
type Kiosk struct {
	// ID is this device as the hub knows it (required, printable, at
	// most 64 bytes); `doorcheck provision` writes the hub's.
	ID string `yaml:"id"`
	// Venue is the venue the kiosk stands in (required): counts and
	// occupancy are per venue.
	Venue string `yaml:"venue"`
	// Door is this door of the venue (required): visits say where they
	// happened.
	Door string `yaml:"door"`
	// Direction is entry (default) or exit. An exit is recorded, never
	// refused: refusing it would only make the occupancy wrong.
	Direction policy.Direction `yaml:"direction"`
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
	// clock while the kiosk runs before verdicts carry clock_jumped (at
	// least 1m: NTP corrections are seconds to minutes).
	ClockJump Duration `yaml:"clock_jump"`
	// Debounce: the same code again within this of its last read is
	// not a new visit (scanners send a code twice; at most 1m).
	Debounce Duration `yaml:"debounce"`
	// ClockSkew is the allowance on pass validity windows for clock
	// differences between issuer and kiosk (at most 2h).
	ClockSkew Duration `yaml:"clock_skew"`
	// Retention: visits the hub acknowledged are pruned after this; 0
	// keeps them forever, otherwise at least 24h. On a 32-bit board it
	// must be set and at most 1440h (docs/appliance.md): bbolt maps at
	// most 2 GB there.
	Retention Duration `yaml:"retention"`
	// UndoWindow is how long the last decision can be undone, for a
	// turnstile that did not turn (at most 1h).
	UndoWindow Duration `yaml:"undo_window"`
	// TimeZone is the venue's time for "today" and schedules: an IANA
	// name such as Asia/Almaty, or Local (the system's zone).
	TimeZone string `yaml:"time_zone"`
}

// ScheduleRule is policy.ScheduleRule as written in YAML.
// The first rule that matches now replaces policy.admitted.
type ScheduleRule struct {
	// Name is shown on screen and in the visit when the rule decided
	// ("weekends green only"); optional.
	Name string `yaml:"name"`
	// Days: mon … sun, monday … sunday, weekdays, weekend; empty: every
	// day.
	Days []string `yaml:"days"`
	// From is "HH:MM" in venue time; from and to go together; both
	// empty: all day. A window may wrap past midnight; its small hours
	// belong to the day it started on.
	From string `yaml:"from"`
	// To is "HH:MM", the end of the window (see from).
	To string `yaml:"to"`
	// Admitted is the statuses an entry admits while the rule holds
	// (required), in the same forms as policy.admitted.
	Admitted Statuses `yaml:"admitted"`
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
	CredentialFile string `yaml:"credential_file" env:"DOORCHECK_HUB_CREDENTIAL_FILE"`
}

// Scanner configures the scanners.
type Scanner struct {
	Serial Serial `yaml:"serial"`
	Wedge  Wedge  `yaml:"wedge"`
}

// Serial is one serial scanner; Port empty means none (a --serial flag may
// still name one, so the other fields are validated either way).
type Serial struct {
	// Port is the scanner's device; empty: no serial scanner. Prefer
	// the stable /dev/serial/by-id/… or /dev/doorcheck-scanner (the udev
	// rule's link) over /dev/ttyACM0, whose number changes.
	Port string `yaml:"port"`
	// Baud is the line speed; USB CDC scanners ignore it, RS-232 ones
	// must match their setting.
	Baud int `yaml:"baud"`
	// DataBits is 5 to 8.
	DataBits   int      `yaml:"data_bits"`
	Parity     string   `yaml:"parity"`     // none | odd | even | mark | space
	StopBits   string   `yaml:"stop_bits"`  // 1 | 1.5 | 2 (1.5 cannot be set on Linux; the serial scanner refuses it there)
	Terminator string   `yaml:"terminator"` // cr | lf | crlf | none
	Gap        Duration `yaml:"gap"`        // idle time that ends a code sent without a terminator (at most 2s)
	// Prefix is fixed text the scanner adds before each code, removed.
	Prefix string `yaml:"prefix"`
	// Suffix is fixed text the scanner adds after each code, removed.
	Suffix      string   `yaml:"suffix"`
	Symbologies []string `yaml:"symbologies"` // AIM ids such as "]Q1", or "]Q" for any modifier; empty: all
	// MaxLength is the longest code in bytes (1 to 65536); longer reads
	// are refused as too long instead of growing without bound.
	MaxLength int `yaml:"max_length"`
}

// Wedge configures keyboard-wedge input in the TUI.
type Wedge struct {
	// Enabled lets typed input that looks like a scan count as one. A
	// guard's handheld with a serial scanner may turn it off so stray
	// key presses are never scans.
	Enabled bool `yaml:"enabled"`
	// Gap is the idle time that ends a scan sent without Enter (at most
	// 2s); a person typing is slower than a scanner.
	Gap     Duration `yaml:"gap"`
	Layouts []string `yaml:"layouts"` // keyboard layouts a scan may arrive through: us | ru | kk
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
		DCC: defaultDCC(),
		UI:  defaultUI(),
		Log: defaultLog(),
	}
}
