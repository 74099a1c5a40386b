package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/sync/wire"
)

const (
	example = "../../configs/kiosk.example.yaml"
	hubKey  = "LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE="
	// minimal is the least a valid file holds: an identity and a hub key.
	minimal = "kiosk: {id: k1, venue: v1, door: d1}\nhub: {public_key: " + hubKey + "}\n"
)

func TestExampleConfigLoads(t *testing.T) {
	c, err := Load(example)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kiosk != (Kiosk{ID: "kiosk-017", Venue: "cinema-arman", Door: "north-entrance", Direction: policy.Entry}) {
		t.Errorf("kiosk = %+v", c.Kiosk)
	}
	r, err := c.Rules()
	if err != nil {
		t.Fatal(err)
	}
	want := policy.Rules{
		Admitted: policy.Standard,
		Schedule: []policy.ScheduleRule{
			{Name: "weekends green only", Days: []time.Weekday{time.Saturday, time.Sunday}, Admitted: policy.TestRequired},
			{Name: "late shows green only", Days: []time.Weekday{time.Friday}, From: policy.Clock(22, 0), To: policy.Clock(2, 0), Admitted: policy.TestRequired},
		},
		Capacity: 250, Reentry: policy.Warn, Stale: policy.Warn, MaxAge: 24 * time.Hour, MaxDataAge: 7 * 24 * time.Hour,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("rules = %+v\nwant    %+v", r, want)
	}
	if _, err := c.HubKey(); err != nil || c.HubKeyID() != "0a325ca3" {
		t.Errorf("hub key: %v, id %q", err, c.HubKeyID())
	}
	if loc, err := c.Location(); err != nil || loc.String() != "Asia/Almaty" {
		t.Errorf("location %v %v", loc, err)
	}
	if s := c.Scanner.Serial; s.Port == "" || s.Baud != 9600 || len(s.Symbologies) != 2 || !c.Scanner.Wedge.Enabled {
		t.Errorf("scanner = %+v", c.Scanner)
	}
	// The example states every default, so it differs from Defaults only
	// where a real kiosk must.
	d := Defaults()
	if !reflect.DeepEqual(c.Policy.Debounce, d.Policy.Debounce) || !reflect.DeepEqual(c.Scanner.Wedge, d.Scanner.Wedge) ||
		c.Store != d.Store || c.Policy.Retention != d.Policy.Retention || c.Policy.UndoWindow != d.Policy.UndoWindow ||
		c.Policy.MaxDataAge != d.Policy.MaxDataAge || c.Policy.ClockJump != d.Policy.ClockJump {
		t.Errorf("example and Defaults disagree:\n%+v\n%+v", c, d)
	}
}

func TestDefaultsApplied(t *testing.T) {
	c, err := Parse([]byte(minimal), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Kiosk = Kiosk{ID: "k1", Venue: "v1", Door: "d1"}
	want.Hub.PublicKey = hubKey
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if c.Policy.Debounce.Duration != 1500*time.Millisecond || c.Policy.ClockSkew.Duration != time.Minute ||
		c.Policy.Retention.Duration != 720*time.Hour || c.Policy.UndoWindow.Duration != 5*time.Minute ||
		c.Policy.MaxAge.Duration != 24*time.Hour || c.Policy.TimeZone != "Local" || c.Store.Path != DefaultStorePath ||
		c.Policy.MaxDataAge.Duration != 7*24*time.Hour || c.Policy.ClockJump.Duration != 24*time.Hour {
		t.Errorf("policy defaults: %+v", c.Policy)
	}
	s := c.Scanner.Serial
	if s.Baud != 9600 || s.DataBits != 8 || s.Parity != "none" || s.StopBits != "1" || s.Terminator != "cr" ||
		s.Gap.Duration != 50*time.Millisecond || s.MaxLength != 4096 {
		t.Errorf("serial defaults: %+v", s)
	}
	if w := c.Scanner.Wedge; !w.Enabled || w.Gap.Duration != 50*time.Millisecond || !reflect.DeepEqual(w.Layouts, []string{"us", "ru", "kk"}) {
		t.Errorf("wedge defaults: %+v", w)
	}
	r, err := c.Rules()
	if err != nil || r.Admitted != policy.Standard || r.Reentry != policy.Warn || r.Stale != policy.Warn || r.Capacity != 0 {
		t.Errorf("rules %+v %v", r, err)
	}
	if loc, err := c.Location(); err != nil || loc != time.Local {
		t.Errorf("location %v %v", loc, err)
	}
	// A partly given section keeps the defaults of the fields it omits.
	c, err = Parse([]byte(minimal+"scanner: {serial: {port: /dev/ttyACM0}, wedge: {enabled: false}}\n"), "/")
	if err != nil {
		t.Fatal(err)
	}
	if c.Scanner.Serial.Baud != 9600 || c.Scanner.Wedge.Enabled || len(c.Scanner.Wedge.Layouts) != 3 {
		t.Errorf("partial section: %+v", c.Scanner)
	}
}

func TestStorePath(t *testing.T) {
	for _, tt := range []struct{ path, dir, want string }{
		{"data/k.db", "/etc/doorcheck", "/etc/doorcheck/data/k.db"},
		{"k.db", "/etc/doorcheck", "/etc/doorcheck/k.db"},
		{"../var/k.db", "/etc/doorcheck", "/etc/var/k.db"},
		{"/srv/k.db", "/etc/doorcheck", "/srv/k.db"},
	} {
		c, err := Parse([]byte(minimal+"store: {path: "+tt.path+"}\n"), tt.dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.Store.Path != tt.want {
			t.Errorf("%s in %s: %s, want %s", tt.path, tt.dir, c.Store.Path, tt.want)
		}
	}
	c, err := Parse([]byte(minimal+"store: {path: k.db, snapshot_path: snap/k.snapshot.db}\n"), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.SnapshotPath != "/etc/doorcheck/snap/k.snapshot.db" {
		t.Errorf("snapshot path = %s", c.Store.SnapshotPath)
	}
	// Load resolves against the file's directory, not the working one.
	dir := t.TempDir()
	file := filepath.Join(dir, "kiosk.yaml")
	if err := os.WriteFile(file, []byte(minimal+"store: {path: state/k.db}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.Path != filepath.Join(dir, "state", "k.db") {
		t.Errorf("store path = %s", c.Store.Path)
	}
	if _, err := Parse([]byte(minimal+"store: {path: \"\"}\n"), "/"); err == nil || !strings.Contains(err.Error(), "store.path: line 3: is required") {
		t.Errorf("empty store path: %v", err)
	}
}

// TestValidationErrors changes one field at a time and checks the error
// names it.
func TestValidationErrors(t *testing.T) {
	id := wire.KeyIDOf(mustKey(t, hubKey)).String()
	demoKey := base64.StdEncoding.EncodeToString(demo.HubPublicKey())
	tests := []struct {
		yaml string // one section, replacing the minimal file's (see with)
		want string // the error must contain this
	}{
		{"kiosk: {id: '', venue: v, door: d}", "kiosk.id: is required"},
		{"store: {path: /srv/k.db, snapshot_path: /srv/k.db}", "store.snapshot_path: must differ from store.path"},
		{"store: {path: /srv/k.db, snapshot_path: /srv/snap/}", "store.snapshot_path: want a file path"},
		{"kiosk: {id: k, venue: '  ', door: d}", "kiosk.venue: is required"},
		{"kiosk: {id: k, venue: v}", "kiosk.door: is required"},
		{"kiosk: {id: \"k\\e[2J\", venue: v, door: d}", "kiosk.id: must be printable"},
		{"kiosk: {id: " + strings.Repeat("k", 65) + ", venue: v, door: d}", "kiosk.id: at most 64 bytes"},
		{"kiosk: {id: k, venue: v, door: d, direction: sideways}", "kiosk.direction: line 1: want entry or exit, got \"sideways\""},
		{"kiosk: {id: k, venue: v, door: d, direction: [exit]}", "kiosk.direction: line 1: want entry or exit"},
		{"policy: {admitted: purple}", "policy.admitted: status set \"purple\""},
		{"policy: {admitted: []}", "policy.admitted: no statuses"},
		{"policy: {admitted: {green: true}}", "policy: line 1: want standard, test-required"},
		{"policy: {admitted: [[green]]}", "policy: line 1: want a status name"},
		{"policy: {schedule: [{days: [funday], admitted: green}]}", "policy.schedule[0].days: \"funday\" is not a day"},
		{"policy: {schedule: [{days: [sat]}]}", "policy.schedule[0].admitted: no statuses"},
		{"policy: {schedule: [{from: '10:00', admitted: green}]}", "policy.schedule[0].to: required with from"},
		{"policy: {schedule: [{to: '10:00', admitted: green}]}", "policy.schedule[0].from: required with to"},
		{"policy: {schedule: [{from: '25:00', to: '10:00', admitted: green}]}", "policy.schedule[0].from: time of day \"25:00\""},
		{"policy: {schedule: [{from: '10:00', to: '10:60', admitted: green}]}", "policy.schedule[0].to: time of day \"10:60\""},
		{"policy: {schedule: [{from: '10:00', to: '10:00', admitted: green}]}", "policy.schedule[0].to: equal to from"},
		{"policy: {schedule: [{admitted: green}, {name: \"x\\ty\", admitted: green}]}", "policy.schedule[1].name: must be printable"},
		{"policy: {capacity: -1}", "policy.capacity: want 0 (unlimited) or more, got -1"},
		{"policy: {capacity: lots}", "policy: line 1: cannot unmarshal"},
		{"policy: {reentry: maybe}", "policy.reentry: want warn or deny, got \"maybe\""},
		{"policy: {stale: sometimes}", "policy.stale: want warn or deny, got \"sometimes\""},
		{"policy: {max_age: forever}", "policy: line 1: \"forever\" is not a duration"},
		{"policy: {max_age: -1h}", "policy: line 1: \"-1h\" is not a duration"},
		{"policy:\n  max_age: 1d", "policy.max_age: line 2: \"1d\" is not a duration"},
		{"policy:\n  admitted:\n    - green\n    - [blue]", "policy.admitted[1][0]: line 4: want a status name"},
		{"policy:\n  admitted: {green: true}", "policy.admitted: line 2: want standard, test-required"},
		{"policy:\n  capacity: lots", "policy.capacity: line 2: cannot unmarshal"},
		{"policy: {capacity: 1, capacity: 2}", "policy: line 1: \"capacity\" given twice (first at line 1)"},
		{"policy: {debounce: 2m}", "policy.debounce: at most 1m0s, got 2m0s"},
		{"policy: {clock_skew: 3h}", "policy.clock_skew: at most 2h0m0s"},
		{"policy: {retention: 1h}", "policy.retention: 0 (keep forever) or at least 24h0m0s"},
		{"policy: {undo_window: 2h}", "policy.undo_window: at most 1h0m0s"},
		{"policy: {max_data_age: 0s}", "policy.max_data_age: at least 1h0m0s, got 0s (the hard limit cannot be turned off)"},
		{"policy: {max_data_age: 10m}", "policy.max_data_age: at least 1h0m0s, got 10m0s"},
		{"policy: {max_data_age: 2400h}", "policy.max_data_age: at most 2160h0m0s, got 2400h0m0s"},
		{"policy: {max_data_age: -1h}", "policy: line 1: \"-1h\" is not a duration"},
		{"policy: {max_age: 200h}", "policy.max_age: 200h0m0s is beyond policy.max_data_age (168h0m0s)"},
		{"policy: {max_age: 48h, max_data_age: 24h}", "policy.max_age: 48h0m0s is beyond policy.max_data_age (24h0m0s)"},
		{"policy: {clock_jump: 30s}", "policy.clock_jump: at least 1m0s, got 30s"},
		{"policy: {clock_jump: 0s}", "policy.clock_jump: at least 1m0s, got 0s"},
		{"policy: {clock_jump: 2400h}", "policy.clock_jump: at most 2160h0m0s"},
		{"policy: {time_zone: Mars/Olympus}", "policy.time_zone: time zone \"Mars/Olympus\""},
		{"hub: {url: 'ftp://hub', public_key: " + hubKey + "}", "hub.url: want an http or https URL"},
		{"hub: {url: 'https://', public_key: " + hubKey + "}", "hub.url: want an http or https URL"},
		{"hub: {url: https://hub}", "hub.public_key: no hub key pinned"},
		{"hub: {credential_file: cred, public_key: " + hubKey + "}", "hub.credential_file: is set but hub.url is not"},
		{"hub: {public_key: ''}", "hub.public_key: no hub key pinned"},
		{"hub: {public_key: short}", "hub.public_key: want 32 bytes of base64"},
		{"hub: {public_key: " + demoKey + "}", "hub.public_key: is the built-in demo key"},
		{"hub: {public_key: " + hubKey + ", key_id: zz}", "hub.key_id: want 8 hex digits, got \"zz\""},
		{"hub: {public_key: " + hubKey + ", key_id: cd9b98bc}", "hub.key_id: cd9b98bc is not the id of hub.public_key (" + id + ")"},
		{"scanner: {serial: {baud: 0}}", "scanner.serial.baud: want 1 to 4000000, got 0"},
		{"scanner: {serial: {data_bits: 9}}", "scanner.serial.data_bits: want 5 to 8, got 9"},
		{"scanner: {serial: {parity: weird}}", "scanner.serial.parity: want none, odd, even, mark or space, got \"weird\""},
		{"scanner: {serial: {stop_bits: 3}}", "scanner.serial.stop_bits: want 1, 1.5 or 2, got \"3\""},
		{"scanner: {serial: {terminator: semicolon}}", "scanner.serial.terminator: want cr, lf, crlf or none, got \"semicolon\""},
		{"scanner: {serial: {terminator: lf, suffix: \"\\n\"}}", "scanner.serial.prefix: prefix \"\" or suffix \"\\n\" holds the terminator"},
		{"scanner: {serial: {gap: 5s}}", "scanner.serial.gap: at most 2s, got 5s"},
		{"scanner: {serial: {symbologies: [']Q1', 'Q1', ']1']}}", "scanner.serial.symbologies[1]: want an AIM identifier"},
		{"scanner: {serial: {symbologies: [']Q1', ']1']}}", "scanner.serial.symbologies[1]: want an AIM identifier like ]Q1"},
		{"scanner: {serial: {max_length: 0}}", "scanner.serial.max_length: want 1 to 65536, got 0"},
		{"scanner: {wedge: {layouts: [us, dvorak]}}", "scanner.wedge.layouts[1]: unknown layout \"dvorak\""},
		{"scanner: {wedge: {gap: 1y}}", "scanner: line 1: \"1y\" is not a duration"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(with(tt.yaml)), "/")
		got := ""
		if err != nil {
			got = err.Error()
			// Every case writes its section on line 1; the lines are
			// TestEveryProblemAtOnce's subject, the messages this one's.
			if !strings.Contains(tt.want, "line ") {
				got = strings.ReplaceAll(got, ": line 1: ", ": ")
			}
		}
		if err == nil || !strings.Contains(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %s", tt.yaml, err, tt.want)
		}
	}
}

// with returns a valid file with section written on its first line in
// place of the minimal file's section of the same name.
func with(section string) string {
	out := section + "\n"
	for _, line := range strings.SplitAfter(minimal, "\n") {
		if line != "" && !strings.HasPrefix(section, line[:strings.Index(line, ":")+1]) {
			out += line
		}
	}
	return out
}

func mustKey(t *testing.T, b64 string) ed25519.PublicKey {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEveryProblemAtOnce checks that decoding problems and validation
// problems arrive together, one per line of the error, each naming its
// field and its line.
func TestEveryProblemAtOnce(t *testing.T) {
	bad := `kiosk: {id: "", venue: v, door: d, direction: sideways}
polcy: {capacity: 3}
policy:
  admitted: purple
  reentry: maybe
  max_age: forever
  capacity: lots
  schedule:
    - {days: [funday], admitted: green}
hub: {public_key: "short"}
scanner:
  serial: {port: /dev/ttyACM0, parity: weird}
  wedge: {layouts: [dvorak], enabled: maybe}
`
	_, err := Parse([]byte(bad), "/")
	if err == nil {
		t.Fatal("accepted")
	}
	want := []string{
		`polcy: line 2: unknown field "polcy"`,
		`policy.max_age: line 6: "forever" is not a duration`,
		`policy.capacity: line 7: cannot unmarshal`,
		`scanner.wedge: line 13: cannot unmarshal`,
		`kiosk.direction: line 1: want entry or exit`,
		`kiosk.id: line 1: is required`,
		`policy.admitted: line 4: `,
		`policy.reentry: line 5: `,
		`policy.schedule[0].days: line 9: `,
		`hub.public_key: line 10: `,
		`scanner.serial.parity: line 12: `,
		`scanner.wedge.layouts[0]: line 13: `,
	}
	lines := strings.Split(err.Error(), "\n")
	for _, w := range want {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, w) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d lines start with %q in:\n%v", n, w, err)
		}
	}
	if len(lines) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(lines), len(want), err)
	}
}

func TestUnknownFieldsNameFieldAndLine(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{minimal + "polcy: {capacity: 3}\n", `polcy: line 3: unknown field "polcy"`},
		{minimal + "policy:\n  capacity: 3\n  max_agee: 1h\n", `policy.max_agee: line 5: unknown field "max_agee"`},
		{minimal + "scanner:\n  serial:\n    bauds: 9600\n", `scanner.serial.bauds: line 5: unknown field "bauds"`},
		{minimal + "policy:\n  schedule:\n    - name: x\n      admited: green\n", `policy.schedule[0].admited: line 6: unknown field "admited"`},
		{"kiosk: {id: k1, venue: v1, door: d1, dir: exit}\nhub: {public_key: " + hubKey + "}\n", `kiosk: line 1: unknown field "dir"`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.yaml), "/")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q:\n got %v\nwant %s", tt.yaml, err, tt.want)
		}
	}
}

func TestAdmittedForms(t *testing.T) {
	tests := []struct {
		text string
		want policy.StatusSet
	}{
		{"standard", policy.Standard},
		{"test-required", policy.TestRequired},
		{"[green, blue]", policy.Standard},
		{"'green, blue'", policy.Standard},
		{"[green]", policy.TestRequired},
		{"green", policy.TestRequired},
		{"[standard, yellow]", policy.SetOf(wire.Green, wire.Blue, wire.Yellow)},
		{"none", 0},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(minimal+"policy: {admitted: "+tt.text+"}\n"), "/")
		if err != nil {
			t.Errorf("%s: %v", tt.text, err)
			continue
		}
		if r, err := c.Rules(); err != nil || r.Admitted != tt.want {
			t.Errorf("%s: %v %v, want %v", tt.text, r.Admitted, err, tt.want)
		}
	}
}

func TestScheduleDays(t *testing.T) {
	tests := []struct {
		days string
		want []time.Weekday
	}{
		{"[sat, sun]", []time.Weekday{time.Saturday, time.Sunday}},
		{"[Saturday, SUNDAY]", []time.Weekday{time.Saturday, time.Sunday}},
		{"[weekend]", []time.Weekday{time.Saturday, time.Sunday}},
		{"[weekdays]", []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}},
		{"[mon, tue, wed, thu, fri, sat, sun]", []time.Weekday{1, 2, 3, 4, 5, 6, 0}},
		{"[]", nil},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(minimal+"policy: {schedule: [{days: "+tt.days+", admitted: green}]}\n"), "/")
		if err != nil {
			t.Errorf("%s: %v", tt.days, err)
			continue
		}
		r, err := c.Rules()
		if err != nil || !reflect.DeepEqual(r.Schedule[0].Days, tt.want) {
			t.Errorf("%s: %v %v, want %v", tt.days, r.Schedule, err, tt.want)
		}
	}
	for _, bad := range []string{"satur", "sa", "saturdays", "", "weekday"} {
		if _, err := Parse([]byte(minimal+"policy: {schedule: [{days: ['"+bad+"'], admitted: green}]}\n"), "/"); err == nil {
			t.Errorf("day %q accepted", bad)
		}
	}
}

func TestScalarForms(t *testing.T) {
	// stop_bits is text, but an unquoted 2 or 1.5 must still work.
	for _, sb := range []string{"1", "1.5", "2"} {
		c, err := Parse([]byte(minimal+"scanner: {serial: {stop_bits: "+sb+"}}\n"), "/")
		if err != nil || c.Scanner.Serial.StopBits != sb {
			t.Errorf("stop_bits %s: %v", sb, err)
		}
	}
	c, err := Parse([]byte(with("kiosk: {id: k, venue: v, door: d, direction: exit}")), "/")
	if err != nil || c.Kiosk.Direction != policy.Exit {
		t.Errorf("exit: %+v %v", c, err)
	}
}

func TestDocumentShape(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"empty file", "", "kiosk.id: is required"},
		{"comments only", "# nothing\n", "hub.public_key: no hub key pinned"},
		{"two documents", minimal + "---\n" + minimal, "more than one YAML document"},
		{"syntax error", "kiosk: {id: k\n", "parse YAML"},
		{"top level list", "- a\n", "cannot unmarshal"},
		{"tab indent", "kiosk:\n\tid: k\n", "parse YAML"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.yaml), "/")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want one that is fs.ErrNotExist", err)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kiosk.yaml")
	if err := os.WriteFile(file, []byte("kiosk: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("err = %v, want it to name %s", err, file)
	}
}

func TestDemo(t *testing.T) {
	c := Demo()
	c.Store.Path = "/tmp/x.db"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Kiosk != (Kiosk{ID: "demo-kiosk", Venue: "demo-venue", Door: "main", Direction: policy.Entry}) {
		t.Errorf("kiosk = %+v", c.Kiosk)
	}
	if k, err := c.HubKey(); err != nil || !k.Equal(demo.HubPublicKey()) {
		t.Errorf("hub key %v %v", k, err)
	}
	if r, err := c.Rules(); err != nil || r.Admitted != policy.Standard {
		t.Errorf("rules %+v %v", r, err)
	}
	// Defaults alone is not a kiosk.
	if err := Defaults().Validate(); err == nil {
		t.Error("Defaults() validated without identity or hub key")
	}
}

// TestMarshalRoundTrip checks that a config written out as YAML loads back
// the same, so tools may generate configs.
func TestMarshalRoundTrip(t *testing.T) {
	c, err := Load(example)
	if err != nil {
		t.Fatal(err)
	}
	c.Kiosk.Direction = policy.Exit
	data, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "/")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip:\n%+v\n%+v\n%s", back, c, data)
	}
}

func FuzzParse(f *testing.F) {
	data, err := os.ReadFile(example)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "policy: {schedule: [{from: '22:00', to: '02:00', days: [fri], admitted: [green]}]}"))
	f.Add([]byte("policy: {schedule: [{from: '25:99', to: x}]}"))
	f.Add([]byte("kiosk: {direction: [1, {a: b}]}\npolicy: {admitted: {x: y}, max_age: -3h}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "/etc/doorcheck")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config does not validate: %v", err)
		}
		if _, err := c.Rules(); err != nil {
			t.Fatalf("valid config without rules: %v", err)
		}
		if _, err := c.Location(); err != nil {
			t.Fatalf("valid config without a location: %v", err)
		}
		if _, err := c.HubKey(); err != nil {
			t.Fatalf("valid config without a hub key: %v", err)
		}
		if !filepath.IsAbs(c.Store.Path) {
			t.Fatalf("store path %q is relative", c.Store.Path)
		}
	})
}
