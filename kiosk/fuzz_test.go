package kiosk

import (
	"context"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/sync/pass"
)

// FuzzCheck feeds arbitrary payloads to the whole checker: it must never
// crash, never return an error for bad input, and never show a status
// colour it did not earn by a payload that parses and verifies.
func FuzzCheck(f *testing.F) {
	samples, _ := demo.Samples(demoDay)
	for _, s := range samples {
		f.Add(s.Payload)
	}
	f.Add("\x1b[2J\u009b\u202e")
	f.Add("9001 0140-0003\r\n")
	fx := newFixture(f, Settings{DryRun: true})
	f.Fuzz(func(t *testing.T, payload string) {
		v, err := fx.c.Check(context.Background(), payload, "fuzz")
		if err != nil {
			t.Fatalf("Check(%q) error: %v", payload, err)
		}
		if v.Decision == NotVerified && (v.HasStatus || v.Subject != "") {
			t.Fatalf("not verified but shows a status: %+v", v)
		}
		if v.HasStatus && !pass.Recognised(payload) {
			t.Fatalf("status %s for a payload that does not parse: %q", v.StatusName(), payload)
		}
		if len(v.Reasons) == 0 && v.Decision != Admit {
			t.Fatalf("%s without a reason", v.Decision)
		}
	})
}
