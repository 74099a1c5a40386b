package config

import (
	"path/filepath"
	"time"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// DCC is how this venue treats EU Digital COVID Certificates (HC1 codes)
// of foreign visitors: which types count and for how long, as the
// venue's national rules say. The defaults are the EU Council's 2022
// recommendation.
type DCC struct {
	// Enabled lets a verified DCC decide an entry; off, an HC1 code is
	// NOT VERIFIED like any unknown code.
	Enabled bool `yaml:"enabled"`
	// TrustFile is the JSON list of trusted document signing
	// certificates (`doorcheck dcc trust import` writes it); empty:
	// beside the store, dcc-trust.json. Relative paths as for
	// store.path.
	TrustFile string `yaml:"trust_file"`
	// KeyUsage refuses a certificate whose signer's extended key usage
	// excludes its type (a test signed by a vaccination-only signer).
	KeyUsage bool `yaml:"key_usage"`
	// Vaccination is when a vaccination certificate counts.
	Vaccination DCCVaccination `yaml:"vaccination"`
	// PCR is when a negative nucleic-acid (PCR) test counts.
	PCR DCCTest `yaml:"pcr"`
	// Rapid is when a negative rapid antigen test counts.
	Rapid DCCTest `yaml:"rapid"`
	// Recovery is whether a recovery certificate counts (from its df to
	// its du, as issued).
	Recovery DCCRecovery `yaml:"recovery"`
}

// DCCVaccination is the vaccination rule.
type DCCVaccination struct {
	// Count: vaccinations count at this venue.
	Count bool `yaml:"count"`
	// After is how long after the dose's date it starts to count.
	After Duration `yaml:"after"`
	// For is how long after the dose's date it stops counting.
	For Duration `yaml:"for"`
	// Complete: only the last dose of a series counts (dn ≥ sd).
	Complete bool `yaml:"complete"`
}

// DCCTest is a test rule.
type DCCTest struct {
	// Count: this test type counts at this venue.
	Count bool `yaml:"count"`
	// For is how long after the sample time a negative test counts.
	For Duration `yaml:"for"`
}

// DCCRecovery is the recovery rule.
type DCCRecovery struct {
	// Count: recovery certificates count at this venue.
	Count bool `yaml:"count"`
}

func defaultDCC() DCC {
	r := dcc.DefaultRules()
	return DCC{
		KeyUsage:    true,
		Vaccination: DCCVaccination{Count: true, After: Duration{r.Vaccination.After}, For: Duration{r.Vaccination.For}, Complete: r.Vaccination.Complete},
		PCR:         DCCTest{Count: true, For: Duration{r.PCR.For}},
		Rapid:       DCCTest{Count: true, For: Duration{r.Rapid.For}},
		Recovery:    DCCRecovery{Count: true},
	}
}

// Rules is the section as sync/dcc rules.
func (d DCC) Rules() dcc.Rules {
	var r dcc.Rules
	if d.Vaccination.Count {
		r.Vaccination = &dcc.VaccinationRule{After: d.Vaccination.After.Duration, For: d.Vaccination.For.Duration, Complete: d.Vaccination.Complete}
	}
	if d.PCR.Count {
		r.PCR = &dcc.TestRule{For: d.PCR.For.Duration}
	}
	if d.Rapid.Count {
		r.Rapid = &dcc.TestRule{For: d.Rapid.For.Duration}
	}
	if d.Recovery.Count {
		r.Recovery = &dcc.RecoveryRule{}
	}
	return r
}

func (c *Config) validateDCC(p *problems) {
	d := c.DCC
	checkDurations(p, []durationLimit{
		{"dcc.vaccination.after", d.Vaccination.After.Duration, 365 * 24 * time.Hour},
		{"dcc.vaccination.for", d.Vaccination.For.Duration, 5 * 365 * 24 * time.Hour},
		{"dcc.pcr.for", d.PCR.For.Duration, 14 * 24 * time.Hour},
		{"dcc.rapid.for", d.Rapid.For.Duration, 14 * 24 * time.Hour},
	})
	if d.Vaccination.Count && d.Vaccination.For.Duration <= d.Vaccination.After.Duration {
		p.add("dcc.vaccination.for", "must be longer than dcc.vaccination.after (%s), got %s", d.Vaccination.After.Duration, d.Vaccination.For.Duration)
	}
	for _, t := range []struct {
		field string
		r     DCCTest
	}{{"dcc.pcr.for", d.PCR}, {"dcc.rapid.for", d.Rapid}} {
		if t.r.Count && t.r.For.Duration <= 0 {
			p.add(t.field, "must be positive when the test counts")
		}
	}
}

// DCCTrustPath is where the DCC trust list is: dcc.trust_file, or
// dcc-trust.json beside the visit store.
func (c *Config) DCCTrustPath() string {
	if c.DCC.TrustFile != "" {
		return c.DCC.TrustFile
	}
	return filepath.Join(filepath.Dir(c.Store.Path), "dcc-trust.json")
}

// IsDemo tells whether this is the built-in demo config, whose DCC checks
// trust the demo signer (kiosk/demo) instead of a trust file.
func (c *Config) IsDemo() bool { return c.demo }
