package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// The documented defaults are sync/dcc's default rules, off until enabled.
func TestDCCDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if c.DCC.Enabled || !c.DCC.KeyUsage {
		t.Errorf("enabled %v, key usage %v; want off and on", c.DCC.Enabled, c.DCC.KeyUsage)
	}
	if got := c.DCC.Rules(); !reflect.DeepEqual(got, dcc.DefaultRules()) {
		t.Errorf("rules %+v, want the defaults", got)
	}
	if got := c.DCCTrustPath(); got != "/var/lib/doorcheck/dcc-trust.json" {
		t.Errorf("trust path %s", got)
	}
}

func TestDCCSection(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		problem string // "" for valid
		check   func(t *testing.T, c *Config)
	}{
		{"venue that takes PCR only", "dcc: {enabled: true, trust_file: trust.json, vaccination: {count: false}, rapid: {count: false}, recovery: {count: false}, pcr: {for: 48h}}\n", "", func(t *testing.T, c *Config) {
			r := c.DCC.Rules()
			if r.Vaccination != nil || r.Rapid != nil || r.Recovery != nil || r.PCR == nil || r.PCR.For != 48*time.Hour {
				t.Errorf("rules %+v", r)
			}
			if c.DCCTrustPath() != "/etc/doorcheck/trust.json" {
				t.Errorf("trust path %s, want it beside the config", c.DCCTrustPath())
			}
		}},
		{"vaccination window inverted", "dcc: {vaccination: {after: 720h, for: 240h}}\n", "dcc.vaccination.for", nil},
		{"test counts for nothing", "dcc: {rapid: {for: 0s}}\n", "dcc.rapid.for", nil},
		{"too long a test window", "dcc: {pcr: {for: 400h}}\n", "dcc.pcr.for", nil},
		{"not a duration", "dcc:\n  pcr:\n    for: 3 days\n", "dcc.pcr.for: line 5", nil},
		{"unknown field", "dcc: {vacination: {count: true}}\n", "vacination", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(minimal+tt.yaml), "/etc/doorcheck")
			if tt.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("err %v, want a problem about %s", err, tt.problem)
			}
		})
	}
}
