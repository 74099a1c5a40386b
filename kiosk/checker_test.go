package kiosk

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/demo"
	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func (c *clock) set(t time.Time)     { c.t = t }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func at(s string) time.Time          { t, _ := time.Parse(time.RFC3339, s); return t }
func ptr[T any](v T) *T              { return &v }

var demoDay = at("2026-11-24T10:00:00Z") // the demo snapshot is created at midnight UTC

// fixture is a checker over a temp store holding the demo snapshot of
// demoDay.
type fixture struct {
	t     testing.TB
	st    *store.Store
	clock *clock
	c     *Checker
}

// openDemoStore is a store k.db in dir holding the demo snapshot of
// demoDay, closed when the test ends; durable fsyncs every visit (the
// benchmarks), else the store runs with NoSync.
func openDemoStore(t testing.TB, dir string, durable bool) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "k.db"), store.Options{Create: true, NoSync: !durable})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	data, err := demo.Snapshot(demoDay)
	if err != nil {
		t.Fatal(err)
	}
	r, err := wire.Open(bytes.NewReader(data), demo.HubPublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(context.Background(), r, nil); err != nil {
		t.Fatal(err)
	}
	return st
}

func newFixture(t testing.TB, s Settings) *fixture {
	t.Helper()
	st := openDemoStore(t, t.TempDir(), false)
	if s.Rules.Admitted == 0 {
		s.Rules.Admitted = policy.Standard
	}
	if s.Rules.MaxAge == 0 {
		s.Rules.MaxAge = 24 * time.Hour
	}
	s.Kiosk, s.Venue, s.Door = "k1", "v1", "d1"
	clk := newClock(demoDay)
	return &fixture{t: t, st: st, clock: clk, c: New(st, s, WithClock(clk.now))}
}

func (f *fixture) check(payload string) Verdict {
	f.t.Helper()
	v, err := f.c.Check(context.Background(), payload, "test")
	if err != nil {
		f.t.Fatalf("Check: %v", err)
	}
	return v
}

func sample(t *testing.T, label string) string {
	t.Helper()
	p, err := demo.Payload(demoDay, label)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckEveryReason(t *testing.T) {
	tests := []struct {
		name     string
		label    string // demo sample, or
		payload  string // a literal payload
		settings Settings
		now      *time.Time
		decision Decision
		status   string
		reasons  []reason.Code
	}{
		{name: "green IIN", label: "IIN, green, vaccinated", decision: Admit, status: "green"},
		{name: "green 72h IIN", label: "IIN, green, negative PCR (72 h)", decision: Admit, status: "green"},
		{name: "72h test has run out", label: "IIN, green, negative PCR (72 h)", now: ptr(demoDay.Add(72 * time.Hour)),
			decision: Admit, status: "blue", reasons: []reason.Code{reason.StaleSnapshot}},
		{name: "blue IIN", label: "IIN, blue, not listed", decision: Admit, status: "blue"},
		{name: "red IIN", label: "IIN, red, in isolation", decision: Deny, status: "red", reasons: []reason.Code{reason.Isolation}},
		{name: "yellow IIN", label: "IIN, yellow, contact of a case", decision: Deny, status: "yellow", reasons: []reason.Code{reason.Contact}},
		{name: "ended isolation is blue", label: "IIN, blue, isolation ended", decision: Admit, status: "blue"},
		{name: "bad checksum", label: "IIN with a wrong check digit", decision: NotVerified, reasons: []reason.Code{reason.BadChecksum}},
		{name: "never issued", label: "IIN that is never issued", decision: NotVerified, reasons: []reason.Code{reason.NeverIssued}},
		{name: "green pass", label: "pass, green", decision: Admit, status: "green"},
		{name: "red pass", label: "pass, red", decision: Deny, status: "red", reasons: []reason.Code{reason.Isolation}},
		{name: "permit", label: "one-hour movement permit (this hour)", decision: Admit, status: "green"},
		{name: "expired pass", label: "pass, expired", decision: NotVerified, reasons: []reason.Code{reason.Expired}},
		{name: "future pass", label: "pass, not yet valid", decision: NotVerified, reasons: []reason.Code{reason.NotYetValid}},
		{name: "unknown issuer", label: "pass from an unknown issuer", decision: NotVerified, reasons: []reason.Code{reason.UnknownIssuer}},
		{name: "forged", label: "pass with a forged signature", decision: NotVerified, reasons: []reason.Code{reason.BadSignature}},
		{name: "1D barcode", label: "a stray 1D barcode", decision: NotVerified, reasons: []reason.Code{reason.UnknownFormat}},
		{name: "malformed pass", payload: "DC1:NOT-BASE45-!!", decision: NotVerified, reasons: []reason.Code{reason.Malformed}},
		{name: "escape sequence", payload: "\x1b]0;pwned\x07\x9b2J", decision: NotVerified, reasons: []reason.Code{reason.UnknownFormat}},
		{name: "too long", payload: strings.Repeat("9", MaxPayload+1), decision: NotVerified, reasons: []reason.Code{reason.TooLong}},
		{name: "clock reset to 1970", label: "IIN, green, vaccinated", now: ptr(time.Unix(0, 0)), decision: NotVerified,
			reasons: []reason.Code{reason.UntrustworthyClock}},
		{name: "stale snapshot warns", label: "IIN, green, vaccinated", now: ptr(demoDay.Add(48 * time.Hour)),
			decision: Admit, status: "green", reasons: []reason.Code{reason.StaleSnapshot}},
		{name: "stale snapshot denies", label: "IIN, green, vaccinated", now: ptr(demoDay.Add(48 * time.Hour)),
			settings: Settings{Rules: policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour, Stale: policy.Deny}},
			decision: Deny, status: "green", reasons: []reason.Code{reason.StaleSnapshot}},
		{name: "airport blue", label: "IIN, blue, not listed", settings: Settings{Rules: policy.Rules{Admitted: policy.TestRequired}},
			decision: Deny, status: "blue", reasons: []reason.Code{reason.TestRequired}},
		{name: "exit of red is recorded", label: "IIN, red, in isolation", settings: Settings{Direction: policy.Exit},
			decision: Admit, status: "red"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.settings)
			if tt.now != nil {
				f.clock.set(*tt.now)
			}
			payload := tt.payload
			if tt.label != "" {
				payload = sample(t, tt.label)
			}
			v := f.check(payload)
			if v.Decision != tt.decision || v.StatusName() != tt.status || !slices.Equal(v.Reasons, tt.reasons) {
				t.Fatalf("got %s %q %v, want %s %q %v", v.Decision, v.StatusName(), v.Reasons, tt.decision, tt.status, tt.reasons)
			}
			if v.Decision == NotVerified && (v.HasStatus || v.Subject != "") {
				t.Fatalf("not verified but shows status %q / subject %q", v.StatusName(), v.Subject)
			}
			if !v.Recorded || v.VisitID == "" {
				t.Fatalf("verdict not recorded: %+v", v)
			}
		})
	}
}

func TestNoSnapshotIsNotVerified(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "k.db"), store.Options{Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := New(st, Settings{Rules: policy.Rules{Admitted: policy.Standard}})
	v, err := c.Check(context.Background(), demo.People()[0].IIN, "test")
	if err != nil || v.Decision != NotVerified || !slices.Equal(v.Reasons, []reason.Code{reason.NoSnapshot}) {
		t.Fatalf("got %+v, %v", v, err)
	}
}

func TestDebounceReentryAndCapacity(t *testing.T) {
	f := newFixture(t, Settings{Rules: policy.Rules{Admitted: policy.Standard, MaxAge: 24 * time.Hour, Capacity: 2}})
	green := demo.People()[0].IIN
	first := f.check(green)
	if first.Decision != Admit || first.Repeat {
		t.Fatalf("first: %+v", first)
	}
	f.clock.add(500 * time.Millisecond)
	again := f.check(green)
	if !again.Repeat || again.Recorded || again.VisitID != first.VisitID {
		t.Fatalf("scan within debounce must repeat the first verdict: %+v", again)
	}
	f.clock.add(1 * time.Second) // a scanner reading a held pass continuously
	if held := f.check(green); !held.Repeat {
		t.Fatalf("a repeat must restart the debounce window: %+v", held)
	}
	f.clock.add(2 * time.Second)
	re := f.check(green)
	if re.Repeat || re.Decision != Admit || !slices.Equal(re.Reasons, []reason.Code{reason.Reentry}) || !re.FirstEntryAt.Equal(first.At) {
		t.Fatalf("re-entry: %+v", re)
	}
	stats, _ := f.c.Stats(context.Background())
	if stats.Counters.Entries != 2 || stats.Counters.Inside != 1 {
		t.Fatalf("counters %+v: a re-entry is a second entry of one person inside", stats.Counters)
	}
	f.clock.add(2 * time.Second)
	if second := f.check(demo.People()[1].IIN); second.Decision != Admit {
		t.Fatalf("second person with one inside: %+v", second)
	}
	f.clock.add(2 * time.Second)
	full := f.check(demo.People()[2].IIN)
	if full.Decision != Deny || !slices.Equal(full.Reasons, []reason.Code{reason.Full}) {
		t.Fatalf("at capacity: %+v", full)
	}
}

func TestUndo(t *testing.T) {
	f := newFixture(t, Settings{})
	ctx := context.Background()
	if _, err := f.c.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo with nothing: %v", err)
	}
	v := f.check(demo.People()[0].IIN)
	f.clock.add(time.Minute)
	u, err := f.c.Undo(ctx)
	if err != nil || u.Decision != Undone || u.Undoes != v.VisitID {
		t.Fatalf("undo: %+v %v", u, err)
	}
	stats, _ := f.c.Stats(ctx)
	if stats.Counters.Entries != 0 || stats.Counters.Undos != 1 || stats.Pending != 2 {
		t.Fatalf("after undo: %+v pending %d", stats.Counters, stats.Pending)
	}
	if _, err := f.c.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("second undo: %v", err)
	}
	// Scanning again right away is a fresh entry, not a repeat or re-entry.
	again := f.check(demo.People()[0].IIN)
	if again.Repeat || len(again.Reasons) != 0 {
		t.Fatalf("after undo: %+v", again)
	}
	f.clock.add(6 * time.Minute)
	if _, err := f.c.Undo(ctx); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo after the window: %v", err)
	}
}

func TestDryRunRecordsNothing(t *testing.T) {
	f := newFixture(t, Settings{DryRun: true})
	v := f.check(demo.People()[0].IIN)
	if v.Recorded || v.Decision != Admit {
		t.Fatalf("%+v", v)
	}
	if n, _ := f.st.PendingCount(); n != 0 {
		t.Fatalf("%d visits recorded in a dry run", n)
	}
}

func TestCannotRecordIsAnError(t *testing.T) {
	f := newFixture(t, Settings{})
	f.st.Close()
	_, err := f.c.Check(context.Background(), demo.People()[0].IIN, "test")
	if !errors.Is(err, ErrCannotRecord) {
		t.Fatalf("err = %v", err)
	}
}

func TestVisitHoldsNoRawPayload(t *testing.T) {
	f := newFixture(t, Settings{})
	iin := demo.People()[0].IIN
	f.check(iin)
	p := sample(t, "pass, green")
	f.clock.add(2 * time.Second)
	f.check(p)
	visits, _ := f.st.Recent(10)
	for _, v := range visits {
		raw := strings.Join([]string{v.Kind.String(), v.Status, v.Verdict.String(), v.Subject.String()}, "|")
		if strings.Contains(raw, iin) || strings.Contains(raw, p[:20]) {
			t.Fatalf("visit holds a raw payload: %+v", v)
		}
	}
}
