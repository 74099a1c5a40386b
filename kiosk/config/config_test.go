package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/policy"
)

func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../../configs/kiosk.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Kiosk.ID != "kiosk-017" || c.Kiosk.Direction != policy.Entry {
		t.Errorf("kiosk = %+v", c.Kiosk)
	}
	r, err := c.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if r.Admitted != policy.Standard || len(r.Schedule) != 2 || r.Capacity != 250 || r.MaxAge != 24*time.Hour {
		t.Errorf("rules = %+v", r)
	}
	if r.Schedule[1].From != 22*60 || r.Schedule[1].To != 2*60 || r.Schedule[1].Days[0] != time.Friday {
		t.Errorf("late-show rule = %+v", r.Schedule[1])
	}
	if _, err := c.HubKey(); err != nil {
		t.Error(err)
	}
	if loc, err := c.Location(); err != nil || loc.String() != "Asia/Almaty" {
		t.Errorf("location %v %v", loc, err)
	}
}

const minimal = "kiosk: {id: k1, venue: v1, door: d1}\nhub: {public_key: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=}\n"

func TestDefaultsAndRelativeStore(t *testing.T) {
	c, err := Parse([]byte(minimal+"store: {path: data/k.db}\n"), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.Path != "/etc/doorcheck/data/k.db" {
		t.Errorf("store path = %s", c.Store.Path)
	}
	if c.Policy.Debounce.Duration != 1500*time.Millisecond || c.Policy.UndoWindow.Duration != 5*time.Minute ||
		c.Scanner.Serial.Baud != 9600 || c.Scanner.Serial.Terminator != "cr" {
		t.Errorf("defaults not applied: %+v", c.Policy)
	}
}

func TestValidationNamesEveryField(t *testing.T) {
	bad := `
kiosk: {id: "", venue: v, door: d, direction: entry}
policy:
  admitted: purple
  reentry: maybe
  stale: sometimes
  capacity: -1
  time_zone: Mars/Olympus
  schedule:
    - {days: [funday], admitted: green}
hub: {public_key: "short"}
scanner:
  serial: {port: /dev/ttyACM0, parity: weird, terminator: semicolon, stop_bits: "3", data_bits: 9}
  wedge: {layouts: [dvorak]}
`
	_, err := Parse([]byte(bad), "/")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, field := range []string{"kiosk.id", "policy.admitted", "policy.reentry", "policy.stale", "policy.capacity",
		"policy.time_zone", "policy.schedule[0]", "hub.public_key", "scanner.serial.parity", "scanner.serial.terminator",
		"scanner.serial.stop_bits", "scanner.serial.data_bits", "scanner.wedge.layouts"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("error does not name %s:\n%v", field, err)
		}
	}
}

func TestUnknownFieldAndBadValues(t *testing.T) {
	for name, text := range map[string]string{
		"typo":          minimal + "polcy: {capacity: 3}\n",
		"bad direction": "kiosk: {id: k, venue: v, door: d, direction: sideways}\n",
		"bad duration":  minimal + "policy: {max_age: forever}\n",
	} {
		if _, err := Parse([]byte(text), "/"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("err = %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestDemo(t *testing.T) {
	c := Demo()
	c.Store.Path = "/tmp/x.db"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile("../../configs/kiosk.example.yaml")
	f.Add(data)
	f.Add([]byte(minimal))
	f.Add([]byte("policy: {schedule: [{from: '25:99', to: x}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "/etc/doorcheck")
		if err != nil {
			return
		}
		if _, err := c.Rules(); err != nil {
			t.Fatalf("valid config without rules: %v", err)
		}
	})
}
