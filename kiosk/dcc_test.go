package kiosk

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// dccFixture is the demo fixture with DCC checks on, one trusted ES256
// signer and the default rules.
func dccFixture(t *testing.T) (*fixture, *dcctest.Signer) {
	t.Helper()
	s, err := dcctest.NewSigner(cose.AlgorithmES256, "DE", demoDay.AddDate(-1, 0, 0), demoDay.AddDate(1, 0, 0), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tl := dcc.NewTrustList()
	if _, err := tl.AddDER(s.DER, "DE"); err != nil {
		t.Fatal(err)
	}
	return newFixture(t, Settings{DCC: &DCCSettings{Verifier: dcc.Verifier{Trust: tl, CheckKeyUsage: true}, Rules: dcc.DefaultRules()}}), s
}

func issueDCC(t *testing.T, s *dcctest.Signer, cert map[string]any, o dcctest.Options) string {
	t.Helper()
	text, err := dcctest.Issue(s, dcctest.Claims{Issuer: "DE", IssuedAt: demoDay.Add(-24 * time.Hour), Expires: demoDay.AddDate(1, 0, 0), Cert: cert}, o)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestCheckDCC(t *testing.T) {
	f, s := dccFixture(t)
	day := 24 * time.Hour
	vaccinated := dcctest.Vaccination("Muster", "Erika", "1964-08-12", "URN:UVCI:01:DE:KIOSK1", 2, 2, demoDay.Add(-30*day).Truncate(day))
	tests := []struct {
		name     string
		payload  string
		decision Decision
		reason   reason.Code
	}{
		{"valid vaccination", issueDCC(t, s, vaccinated, dcctest.Options{}), Admit, ""},
		{"forged signature", issueDCC(t, s, vaccinated, dcctest.Options{Corrupt: true}), NotVerified, reason.DCCBadSignature},
		{"expired rapid test", issueDCC(t, s, dcctest.Test("M", "E", "1990", "URN:UVCI:01:DE:T1", false, demoDay.Add(-30*time.Hour), true), dcctest.Options{}), NotVerified, reason.DCCExpired},
		{"first dose only", issueDCC(t, s, dcctest.Vaccination("M", "E", "1990", "URN:UVCI:01:DE:V1", 1, 2, demoDay.Add(-30*day)), dcctest.Options{}), NotVerified, reason.DCCRuleFailed},
		{"unknown signer", issueDCC(t, s, vaccinated, dcctest.Options{KidOverride: []byte("12345678")}), NotVerified, reason.DCCUnknownSigner},
		{"broken", "HC1:NOT*BASE45", NotVerified, reason.Malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.add(5 * time.Second) // past the debounce
			v := f.check(tt.payload)
			if v.Kind != KindDCC || v.Decision != tt.decision {
				t.Fatalf("kind %s decision %v reasons %v, want dcc %v", v.Kind, v.Decision, v.Reasons, tt.decision)
			}
			if tt.reason != "" && (len(v.Reasons) != 1 || v.Reasons[0] != tt.reason) {
				t.Errorf("reasons %v, want %s", v.Reasons, tt.reason)
			}
			if tt.decision == Admit {
				if v.Status != wire.Green || v.StatusUntil.IsZero() || v.Subject == "" {
					t.Errorf("status %v until %v subject %q; want green with an end time", v.Status, v.StatusUntil, v.Subject)
				}
			}
		})
	}
}

// The same certificate again is a re-entry, keyed by its identifier; and
// nothing of the certificate (its identifier, the name) is in the visit
// log or the JSON verdict's subject.
func TestDCCReentryAndNothingStored(t *testing.T) {
	f, s := dccFixture(t)
	ci := "URN:UVCI:01:DE:REENTRY"
	cert := dcctest.Vaccination("Muster", "Erika", "1964-08-12", ci, 2, 2, demoDay.Add(-30*24*time.Hour))
	text := issueDCC(t, s, cert, dcctest.Options{})
	first := f.check(text)
	f.clock.add(10 * time.Second)
	// Another rendering of the same certificate (other envelope) is the
	// same visitor.
	again := f.check(issueDCC(t, s, cert, dcctest.Options{CWTTag: true}))
	if first.Decision != Admit || first.Subject != again.Subject || !again.HasReason(reason.Reentry) {
		t.Fatalf("first %+v\nagain %+v", first, again)
	}
	visits, err := f.st.Recent(10)
	if err != nil || len(visits) != 2 {
		t.Fatalf("visits %d, %v", len(visits), err)
	}
	var buf bytes.Buffer
	for _, v := range visits {
		json.NewEncoder(&buf).Encode(v)
	}
	json.NewEncoder(&buf).Encode(first)
	for _, secret := range []string{ci, "Muster", "Erika", "1964-08-12", text[:30]} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("%q is stored or in the verdict:\n%s", secret, buf.String())
		}
	}
}

// With DCC checks off an HC1 code is an unknown format, as before.
func TestDCCOffIsUnknownFormat(t *testing.T) {
	f := newFixture(t, Settings{})
	s, _ := dcctest.NewSigner(cose.AlgorithmES256, "DE", demoDay.AddDate(-1, 0, 0), demoDay.AddDate(1, 0, 0), nil, nil)
	v := f.check(issueDCC(t, s, dcctest.Vaccination("M", "E", "1990", "ci", 2, 2, demoDay.Add(-30*24*time.Hour)), dcctest.Options{}))
	if v.Decision != NotVerified || !v.HasReason(reason.UnknownFormat) {
		t.Errorf("decision %v reasons %v", v.Decision, v.Reasons)
	}
}
