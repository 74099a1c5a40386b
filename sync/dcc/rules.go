package dcc

import (
	"fmt"
	"time"
)

// Rules are a venue's national rules for DCCs, as data: which certificate
// types count and for how long. A nil rule means that type does not count
// at this venue. Rules come from config (kiosk/config's dcc section), not
// code, because they changed monthly during the pandemic and differ by
// country and venue.
type Rules struct {
	Vaccination *VaccinationRule
	PCR         *TestRule // nucleic-acid tests (LP6464-4)
	Rapid       *TestRule // rapid antigen tests (LP217198-3)
	Recovery    *RecoveryRule
}

// VaccinationRule: a vaccination counts from After past the dose's date
// until For past it, and only for the last dose of a series when Complete.
type VaccinationRule struct {
	After    time.Duration
	For      time.Duration
	Complete bool
}

// TestRule: a negative test counts for For from its sample time.
type TestRule struct {
	For time.Duration
}

// RecoveryRule: a recovery certificate counts from its df to the end of
// its du day, as issued.
type RecoveryRule struct{}

// DefaultRules are the EU Council's 2022 recommendation: full vaccination
// from 14 days after the last dose for 270 days, PCR 72 h, rapid 24 h,
// recovery as issued.
func DefaultRules() Rules {
	return Rules{
		Vaccination: &VaccinationRule{After: 14 * 24 * time.Hour, For: 270 * 24 * time.Hour, Complete: true},
		PCR:         &TestRule{For: 72 * time.Hour},
		Rapid:       &TestRule{For: 24 * time.Hour},
		Recovery:    &RecoveryRule{},
	}
}

// Test types and results (EU value sets).
const (
	testTypeNAA      = "LP6464-4"
	testTypeRapid    = "LP217198-3"
	testNotDetected  = "260415000"
	covid19TargetSCT = "840539006"
)

// Decision is a certificate the rules admit, with when that ends.
type Decision struct {
	Until time.Time // the earlier of the rule's end and the certificate's expiry
	Rule  string    // the rule that admitted it, in words
}

// Decide applies the rules to a verified certificate at now. Error texts
// hold no certificate content (they reach screens and logs). A refusal is
// an *Error: KindRuleFailed with the rule in words, KindNotYetValid or
// KindExpired when the rule's window has not started or has ended.
func (r Rules) Decide(res *Result, now time.Time) (Decision, error) {
	var d Decision
	var err error
	switch res.Type {
	case TypeVaccination:
		d, err = r.vaccination(res.Cert.Vaccination[0], now)
	case TypeTest:
		d, err = r.test(res.Cert.Test[0], now)
	case TypeRecovery:
		d, err = r.recovery(res.Cert.Recovery[0], now)
	default:
		err = fail(KindRuleFailed, StageRules, "unknown certificate type")
	}
	if err != nil {
		return Decision{}, err
	}
	if !res.Claims.Expires.IsZero() && res.Claims.Expires.Before(d.Until) {
		d.Until = res.Claims.Expires
	}
	return d, nil
}

func ruleFailed(format string, args ...any) error {
	return fail(KindRuleFailed, StageRules, format, args...)
}

func window(from, until, now time.Time, what string) error {
	if now.Before(from) {
		return fail(KindNotYetValid, StageRules, "%s counts from %s", what, from.Format(time.RFC3339))
	}
	if !now.Before(until) {
		return fail(KindExpired, StageRules, "%s counted until %s", what, until.Format(time.RFC3339))
	}
	return nil
}

func (r Rules) vaccination(v Vaccination, now time.Time) (Decision, error) {
	if r.Vaccination == nil {
		return Decision{}, ruleFailed("vaccinations do not count here")
	}
	if v.Target != covid19TargetSCT {
		return Decision{}, ruleFailed("vaccination is not against COVID-19")
	}
	if r.Vaccination.Complete && (v.SeriesDoses < 1 || v.Dose < v.SeriesDoses) {
		return Decision{}, ruleFailed("dose %v of %v is not a full vaccination", v.Dose, v.SeriesDoses)
	}
	day, err := time.Parse(time.DateOnly, v.Date)
	if err != nil {
		return Decision{}, fail(KindMalformed, StageRules, "unreadable vaccination date")
	}
	from, until := day.Add(r.Vaccination.After), day.Add(r.Vaccination.For)
	if err := window(from, until, now, "vaccination"); err != nil {
		return Decision{}, err
	}
	return Decision{Until: until, Rule: fmt.Sprintf("vaccinated: from %s after the last dose for %s", days(r.Vaccination.After), days(r.Vaccination.For))}, nil
}

func (r Rules) test(t Test, now time.Time) (Decision, error) {
	var rule *TestRule
	var kind string
	switch t.Type {
	case testTypeNAA:
		rule, kind = r.PCR, "PCR test"
	case testTypeRapid:
		rule, kind = r.Rapid, "rapid test"
	default:
		return Decision{}, ruleFailed("this test type does not count here")
	}
	if rule == nil {
		return Decision{}, ruleFailed("%ss do not count here", kind)
	}
	if t.Target != covid19TargetSCT {
		return Decision{}, ruleFailed("test is not for COVID-19")
	}
	if t.Result != testNotDetected {
		return Decision{}, ruleFailed("%s result is not negative", kind)
	}
	sample, err := time.Parse(time.RFC3339, t.SampleTime)
	if err != nil {
		return Decision{}, fail(KindMalformed, StageRules, "unreadable sample time")
	}
	until := sample.Add(rule.For)
	if err := window(sample, until, now, kind); err != nil {
		return Decision{}, err
	}
	return Decision{Until: until, Rule: fmt.Sprintf("negative %s: %s from the sample", kind, rule.For)}, nil
}

func (r Rules) recovery(rc Recovery, now time.Time) (Decision, error) {
	if r.Recovery == nil {
		return Decision{}, ruleFailed("recovery certificates do not count here")
	}
	if rc.Target != covid19TargetSCT {
		return Decision{}, ruleFailed("recovery is not from COVID-19")
	}
	from, err1 := time.Parse(time.DateOnly, rc.ValidFrom)
	to, err2 := time.Parse(time.DateOnly, rc.ValidTo)
	if err1 != nil || err2 != nil {
		return Decision{}, fail(KindMalformed, StageRules, "unreadable recovery dates")
	}
	until := to.AddDate(0, 0, 1) // du is the last valid day
	if err := window(from, until, now, "recovery"); err != nil {
		return Decision{}, err
	}
	return Decision{Until: until, Rule: "recovered: from df to du as issued"}, nil
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
