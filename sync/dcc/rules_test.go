package dcc_test

import (
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

func TestRulesDecide(t *testing.T) {
	es := signer(t, cose.AlgorithmES256)
	day := 24 * time.Hour
	dob := "1964-08-12"
	full := func(ago time.Duration) map[string]any {
		return dcctest.Vaccination("Muster", "Erika", dob, "ci", 2, 2, t0.Add(-ago).Truncate(day))
	}
	noVacc := dcc.DefaultRules()
	noVacc.Vaccination = nil
	tests := []struct {
		name  string
		cert  map[string]any
		rules dcc.Rules
		want  dcc.Kind // 0: admitted
		until time.Time
	}{
		{"full vaccination, 30 days ago", full(30 * day), dcc.DefaultRules(), 0, t0.Add(-30 * day).Truncate(day).Add(270 * day)},
		{"full vaccination, 10 days ago", full(10 * day), dcc.DefaultRules(), dcc.KindNotYetValid, time.Time{}},
		{"full vaccination, 300 days ago", full(300 * day), dcc.DefaultRules(), dcc.KindExpired, time.Time{}},
		{"first of two doses", dcctest.Vaccination("M", "E", dob, "ci", 1, 2, t0.Add(-30*day)), dcc.DefaultRules(), dcc.KindRuleFailed, time.Time{}},
		{"vaccinations do not count", full(30 * day), noVacc, dcc.KindRuleFailed, time.Time{}},
		{"PCR 10 h ago", dcctest.Test("M", "E", dob, "ci", true, t0.Add(-10*time.Hour), true), dcc.DefaultRules(), 0, t0.Add(62 * time.Hour)},
		{"PCR 73 h ago", dcctest.Test("M", "E", dob, "ci", true, t0.Add(-73*time.Hour), true), dcc.DefaultRules(), dcc.KindExpired, time.Time{}},
		{"rapid 10 h ago", dcctest.Test("M", "E", dob, "ci", false, t0.Add(-10*time.Hour), true), dcc.DefaultRules(), 0, t0.Add(14 * time.Hour)},
		{"rapid 25 h ago", dcctest.Test("M", "E", dob, "ci", false, t0.Add(-25*time.Hour), true), dcc.DefaultRules(), dcc.KindExpired, time.Time{}},
		{"positive PCR", dcctest.Test("M", "E", dob, "ci", true, t0.Add(-time.Hour), false), dcc.DefaultRules(), dcc.KindRuleFailed, time.Time{}},
		{"recovery inside df..du", dcctest.Recovery("M", "E", dob, "ci", t0.Add(-40*day), t0.Add(-29*day), t0.Add(100*day)), dcc.DefaultRules(), 0, t0.Add(100 * day).Truncate(day).Add(day)},
		{"recovery before df", dcctest.Recovery("M", "E", dob, "ci", t0.Add(-5*day), t0.Add(3*day), t0.Add(100*day)), dcc.DefaultRules(), dcc.KindNotYetValid, time.Time{}},
		{"recovery after du", dcctest.Recovery("M", "E", dob, "ci", t0.Add(-200*day), t0.Add(-180*day), t0.Add(-2*day)), dcc.DefaultRules(), dcc.KindExpired, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := vaccClaims()
			c.Cert = tt.cert
			c.Expires = t0.AddDate(1, 0, 0) // past every rule's end: the rule decides
			res, err := (&dcc.Verifier{Trust: trustOf(t, es)}).Verify(issue(t, es, c, dcctest.Options{}), t0)
			if err != nil {
				t.Fatal(err)
			}
			d, err := tt.rules.Decide(res, t0)
			if dcc.KindOf(err) != tt.want {
				t.Fatalf("Decide: %v, want kind %d", err, tt.want)
			}
			if tt.want == 0 && (!d.Until.Equal(tt.until) || d.Rule == "") {
				t.Errorf("until %v (rule %q), want %v", d.Until, d.Rule, tt.until)
			}
		})
	}
}

// The end time never outlasts the certificate's own expiry.
func TestDecideUntilCappedByExpiry(t *testing.T) {
	es := signer(t, cose.AlgorithmES256)
	c := vaccClaims()
	c.Cert = dcctest.Vaccination("M", "E", "1964", "ci", 2, 2, t0.Add(-30*24*time.Hour))
	c.Expires = t0.Add(time.Hour)
	res, err := (&dcc.Verifier{Trust: trustOf(t, es)}).Verify(issue(t, es, c, dcctest.Options{}), t0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dcc.DefaultRules().Decide(res, t0)
	if err != nil || !d.Until.Equal(c.Expires) {
		t.Errorf("until %v, %v; want the expiry %v", d.Until, err, c.Expires)
	}
}
