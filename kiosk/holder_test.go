package kiosk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
)

// TestDCCHolderInMemoryOnly: a verified DCC's verdict carries the name
// and date of birth for the screen; the visit record, the JSON line, every
// fmt verb and slog (text and JSON) of the verdict hold neither; a
// certificate that fails verification carries no holder.
func TestDCCHolderInMemoryOnly(t *testing.T) {
	f, s := dccFixture(t)
	cert := dcctest.Vaccination("Musterfrau", "Erika", "1964-08-12", "URN:UVCI:01:DE:HOLDER", 2, 2, demoDay.Add(-30*24*time.Hour))
	v := f.check(issueDCC(t, s, cert, dcctest.Options{}))
	if v.Decision != Admit || v.Holder == nil || v.Holder.Name != "Erika Musterfrau" || v.Holder.DateOfBirth != "1964-08-12" {
		t.Fatalf("decision %v holder %#v", v.Decision, v.Holder)
	}
	var out bytes.Buffer
	visits, err := f.st.Recent(10)
	if err != nil || len(visits) != 1 {
		t.Fatalf("visits %d, %v", len(visits), err)
	}
	json.NewEncoder(&out).Encode(visits)
	fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v.Holder)
	line, _ := json.Marshal(v)
	out.Write(line)
	whole, _ := json.Marshal(struct{ V *Holder }{v.Holder})
	out.Write(whole)
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("verdict", "v", v, "holder", v.Holder, "result", Result{Verdict: v})
	}
	for _, secret := range []string{"Musterfrau", "Erika", "1964-08-12", "URN:UVCI"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("%q is recorded, printed or logged:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "[redacted]") {
		t.Errorf("no redaction marker in:\n%s", out.String())
	}

	f.clock.add(10 * time.Second)
	forged := f.check(issueDCC(t, s, cert, dcctest.Options{Corrupt: true}))
	if forged.Decision != NotVerified || forged.Holder != nil {
		t.Errorf("forged: %v, holder %v", forged.Decision, forged.Holder != nil)
	}
	// The ICAO form stands in when the printed name is missing; long
	// fields are cut on a rune boundary.
	if h := holderOf(&dcc.Certificate{Name: dcc.Name{FamilyStd: "MUSTERFRAU", GivenStd: "ERIKA"}}); h.Name != "ERIKA MUSTERFRAU" {
		t.Errorf("ICAO name %q", h.Name)
	}
	if h := holderOf(&dcc.Certificate{Name: dcc.Name{Family: strings.Repeat("Ж", 100)}}); len(h.Name) > maxHolderField || !utf8.ValidString(h.Name) {
		t.Errorf("long name: %d bytes, valid %v", len(h.Name), utf8.ValidString(h.Name))
	}
	if h := holderOf(nil); h != nil {
		t.Error("holder of no certificate")
	}
}
