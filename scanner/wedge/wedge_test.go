package wedge

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/scanner/layout"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// typist drives an assembler with a clock it moves by hand.
type typist struct {
	a    *Assembler
	now  time.Time
	outs []Output
}

func newTypist(opt Options) *typist { return &typist{a: New(opt), now: t0} }

// keyOf reads \r as Enter, \t as Tab, \b as Backspace, \x1b as Escape and
// \x00 as some other key.
func keyOf(r rune) Key {
	switch r {
	case '\r':
		return Key{Special: Enter}
	case '\t':
		return Key{Special: Tab}
	case '\b':
		return Key{Special: Backspace}
	case '\x1b':
		return Key{Special: Escape}
	case 0:
		return Key{Special: Other}
	}
	return Key{Rune: r}
}

// keys types s, one key every gap, starting gap after the previous key.
func (ty *typist) keys(s string, gap time.Duration) {
	for _, r := range s {
		ty.now = ty.now.Add(gap)
		ty.outs = append(ty.outs, ty.a.Feed(keyOf(r), ty.now)...)
	}
}

func (ty *typist) wait(d time.Duration) {
	ty.now = ty.now.Add(d)
	ty.outs = append(ty.outs, ty.a.Tick(ty.now)...)
}

// got lists the outputs of one kind as "source:text".
func (ty *typist) got(kind OutputKind) []string {
	var p []string
	for _, o := range ty.outs {
		if o.Kind == kind {
			p = append(p, o.Source+":"+o.Text)
		}
	}
	return p
}

func (ty *typist) payloads() string { return strings.Join(ty.got(OutputPayload), ",") }

const (
	scanGap  = 3 * time.Millisecond
	humanGap = 150 * time.Millisecond
	quickGap = 80 * time.Millisecond // a fast typist
)

func TestScenarios(t *testing.T) {
	type step struct {
		keys string
		gap  time.Duration // before each key; with keys "", a Tick after gap
	}
	tests := []struct {
		name     string
		opt      Options
		steps    []step
		payloads string
		manual   string // the field at the end
	}{
		{"scan with Enter", Options{},
			[]step{{"900101400003\r", scanGap}},
			"wedge:900101400003", ""},
		{"scan with Tab, twice", Options{},
			[]step{{"DC1:ABC\tDC1:DEF\t", scanGap}},
			"wedge:DC1:ABC,wedge:DC1:DEF", ""},
		{"scan with CR LF-less idle end", Options{},
			[]step{{"900101400003", scanGap}, {"", 49 * time.Millisecond}, {"", time.Millisecond}},
			"wedge:900101400003", ""},
		{"custom idle gap", Options{Gap: 200 * time.Millisecond},
			[]step{{"900101400003", scanGap}, {"", 150 * time.Millisecond}, {"X", scanGap}, {"", 200 * time.Millisecond}},
			"wedge:900101400003X", ""},
		{"person types, corrects, submits", Options{},
			[]step{{"9001014000x\b03\r", humanGap}},
			"manual:900101400003", ""},
		{"fast typist is still a person", Options{},
			[]step{{"900101400003\r", quickGap}},
			"manual:900101400003", ""},
		{"rollover of two keys is still a person", Options{},
			[]step{{"900", humanGap}, {"10", 10 * time.Millisecond}, {"1400003\r", humanGap}},
			"manual:900101400003", ""},
		{"four keys in a row make a burst", Options{},
			[]step{{"900", humanGap}, {"101", 10 * time.Millisecond}, {"400003\r", humanGap}},
			"wedge:0101,manual:90400003", ""}, // the price of a 4-key threshold
		{"a higher threshold keeps them typing", Options{MinBurst: 6},
			[]step{{"900", humanGap}, {"101", 10 * time.Millisecond}, {"400003\r", humanGap}},
			"manual:900101400003", ""},
		{"slower threshold makes 20 ms typing human", Options{BurstGap: 10 * time.Millisecond},
			[]step{{"900101400003\r", 20 * time.Millisecond}},
			"manual:900101400003", ""},
		{"scan while a person types is split off", Options{},
			[]step{{"9001", humanGap}, {"", 300 * time.Millisecond}, {"DC1:PASS\r", scanGap}},
			"wedge:DC1:PASS", "9001"},
		{"scan in the person's rhythm is split off", Options{},
			[]step{{"9001", humanGap}, {"D", humanGap}, {"C1:PASS\r", scanGap}, {"01400003\r", humanGap}},
			"wedge:DC1:PASS,manual:900101400003", ""},
		{"scan without Enter while a person types", Options{},
			[]step{{"9001", humanGap}, {"DC1:PASS", humanGap}},
			"", "9001\ufffd\ufffd1\ufffd\ufffd\ufffd\ufffd\ufffd"}, // sanity: at human speed it is typing, and no IIN
		{"short scan with fast Enter is split off", Options{},
			[]step{{"9001", humanGap}, {"A", humanGap}, {"BC\r", scanGap}},
			"wedge:ABC", "9001"},
		{"Escape clears the field", Options{},
			[]step{{"9001\x1b", humanGap}, {"42\r", humanGap}},
			"manual:42", ""},
		{"other keys are ignored", Options{},
			[]step{{"90\x0001\r", humanGap}},
			"manual:9001", ""},
		{"Enter on an empty field does nothing", Options{},
			[]step{{"\r\r\t\b\b", humanGap}},
			"", ""},
		{"scan over the bound is dropped and resyncs at Enter", Options{Max: 16},
			[]step{{strings.Repeat("A", 40) + "\r", scanGap}, {"OK12\r", scanGap}},
			"wedge:OK12", ""},
		{"scan over the bound is dropped and resyncs at the idle gap", Options{Max: 16},
			[]step{{strings.Repeat("A", 40), scanGap}, {"", time.Second}, {"OK12\r", scanGap}},
			"wedge:OK12", ""},
		{"bound counts bytes", Options{Max: 8},
			[]step{{"ЖЖЖЖЖ\r", scanGap}, {"ЖЖЖЖ\r", scanGap}},
			"wedge:ЖЖЖЖ", ""},
		{"typed entry over the bound is dropped until Enter", Options{ManualMax: 4},
			[]step{{"123456\r", humanGap}, {"42\r", humanGap}},
			"manual:42", ""},
		{"typed entry over the bound is dropped until Escape", Options{ManualMax: 4},
			[]step{{"123456\x1b", humanGap}, {"42", humanGap}},
			"", "42"},
		{"scan still recognised after the field overflowed", Options{ManualMax: 4},
			[]step{{"123456", humanGap}, {"", humanGap}, {"DC1:X\r", scanGap}},
			"wedge:DC1:X", "1234"}, // still frozen: Enter will discard it
		{"typed entry over the bound is frozen", Options{ManualMax: 4},
			[]step{{"123456\b", humanGap}},
			"", "1234"},
		{"scan while the field is full keeps the field", Options{ManualMax: 4},
			[]step{{"1234", humanGap}, {"", humanGap}, {"DC1:X\r", scanGap}},
			"wedge:DC1:X", "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ty := newTypist(tt.opt)
			for _, s := range tt.steps {
				if s.keys == "" {
					ty.wait(s.gap)
					continue
				}
				ty.keys(s.keys, s.gap)
			}
			if got := ty.payloads(); got != tt.payloads {
				t.Errorf("payloads %q, want %q", got, tt.payloads)
			}
			if got := ty.a.Manual(); got != tt.manual {
				t.Errorf("manual field %q, want %q", got, tt.manual)
			}
			// The UI's copy of the field, from ManualChanged outputs,
			// agrees with the assembler's.
			shown := ""
			for _, o := range ty.outs {
				if o.Kind == OutputManual {
					shown = o.Text
				}
			}
			if shown != tt.manual {
				t.Errorf("last ManualChanged %q, want %q", shown, tt.manual)
			}
		})
	}
}

// TestBurstKeysLeaveTheField follows the field key by key as a burst
// lands in it and is taken back out.
func TestBurstKeysLeaveTheField(t *testing.T) {
	ty := newTypist(Options{})
	ty.keys("90", humanGap)
	ty.now = ty.now.Add(300 * time.Millisecond)
	ty.keys("DC1:A\r", scanGap)
	want := []string{"manual:9", "manual:90", "manual:90\ufffd", "manual:90\ufffd\ufffd", "manual:90\ufffd\ufffd1", "manual:90"}
	if got := ty.got(OutputManual); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("field went %q, want %q", got, want)
	}
	if got := ty.payloads(); got != "wedge:DC1:A" {
		t.Fatalf("payloads %q", got)
	}
}

func TestDeadlineAndTick(t *testing.T) {
	ty := newTypist(Options{})
	if _, ok := ty.a.Deadline(); ok {
		t.Fatal("deadline with no burst")
	}
	ty.keys("9001", scanGap)
	dl, ok := ty.a.Deadline()
	if !ok || !dl.Equal(ty.now.Add(DefaultGap)) {
		t.Fatalf("deadline %v %v, want %v", dl, ok, ty.now.Add(DefaultGap))
	}
	if out := ty.a.Tick(dl.Add(-time.Nanosecond)); len(out) != 0 {
		t.Fatalf("ended early: %v", out)
	}
	out := ty.a.Tick(dl)
	if len(out) != 1 || out[0].Text != "9001" || !out[0].At.Equal(ty.now) {
		t.Fatalf("tick at the deadline gave %+v", out)
	}
	if _, ok := ty.a.Deadline(); ok {
		t.Fatal("deadline after the burst ended")
	}
}

func TestDropsAreReported(t *testing.T) {
	ty := newTypist(Options{Max: 16, ManualMax: 4})
	ty.keys(strings.Repeat("A", 40)+"\r", scanGap)
	ty.keys("123456\r", humanGap)
	want := []string{"wedge:scan over 16 bytes discarded", "manual:typed entry over 4 characters discarded"}
	if got := ty.got(OutputDropped); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("drops %q, want %q", got, want)
	}
}

func TestLayoutRestored(t *testing.T) {
	valid := func(s string) bool { return s == "900101400003" || s == "DC1:AB" }
	ty := newTypist(Options{Valid: valid, Layouts: layout.Known()})
	ty.keys("ұққ\"қ\"ңққққі\r", scanGap) // an IIN scanned through the Kazakh layout
	ty.keys("ВС1ЖФИ\r", scanGap)         // a pass scanned through the Russian layout
	ty.wait(time.Second)
	ty.keys("ұққ\"қ\"ңққққі\r", humanGap) // a person typing digits on a Kazakh keyboard
	ty.keys("ВС1ЖФИЙ\r", scanGap)         // not a payload in any layout: kept raw
	var got []string
	for _, o := range ty.outs {
		if o.Kind == OutputPayload {
			got = append(got, fmt.Sprintf("%s:%s:%s", o.Source, o.Layout, o.Text))
		}
	}
	want := "wedge:kk:900101400003 wedge:ru:DC1:AB manual:kk:900101400003 wedge::ВС1ЖФИЙ"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestNoLayoutsMeansNone(t *testing.T) {
	ty := newTypist(Options{Valid: func(s string) bool { return s == "DC1:AB" }})
	ty.keys("ВС1ЖФИ\r", scanGap)
	if got := ty.payloads(); got != "wedge:ВС1ЖФИ" {
		t.Fatalf("%q", got)
	}
}

func TestClockGoingBackwards(t *testing.T) {
	a := New(Options{})
	var outs []Output
	for i, r := range "900101400003" {
		outs = append(outs, a.Feed(Key{Rune: r}, t0.Add(-time.Duration(i)*time.Millisecond))...)
	}
	outs = append(outs, a.Feed(Key{Special: Enter}, t0)...)
	// Keys out of order are never "fast": this reads as typing.
	if len(outs) == 0 || outs[len(outs)-1].Source != SourceManual || outs[len(outs)-1].Text != "900101400003" {
		t.Fatalf("%+v", outs)
	}
}

func FuzzAssembler(f *testing.F) {
	f.Add("90010\r1400003\t", uint8(3), uint8(150))
	f.Add("\b\b\rDC1:\x1b", uint8(100), uint8(1))
	f.Add("ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ", uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, s string, gap, jitter uint8) {
		const max, manualMax = 64, 16
		ty := newTypist(Options{Max: max, ManualMax: manualMax})
		for i, r := range s {
			d := time.Duration(gap) * time.Millisecond
			if i%3 == 0 {
				d += time.Duration(jitter) * time.Millisecond
			}
			ty.keys(string(r), d)
			if n := utf8.RuneCountInString(ty.a.Manual()); n > manualMax {
				t.Fatalf("manual field of %d characters", n)
			}
			if m := ty.a.Manual(); strings.Trim(m, iinKeys+string(BadKey)) != "" {
				t.Fatalf("manual field holds %q", m)
			}
		}
		ty.wait(time.Second)
		if _, ok := ty.a.Deadline(); ok {
			t.Fatal("burst still open after a second")
		}
		for _, o := range ty.outs {
			if o.Kind == OutputPayload && (o.Text == "" || len(o.Text) > max*4) {
				t.Fatalf("payload of %d bytes", len(o.Text))
			}
			if o.Kind == OutputPayload && o.Source == SourceWedge && min(int(gap), int(gap)+int(jitter)) >= 35 {
				t.Fatalf("burst %q from keys at least 35 ms apart", o.Text)
			}
		}
		// A clean burst at scanner speed comes out whole and alone.
		if gap < 10 && jitter < 10 && !strings.ContainsAny(s, "\r\t\b\x1b\x00") && utf8.ValidString(s) &&
			len(s) <= max && utf8.RuneCountInString(s) >= DefaultMinBurst {
			if got := ty.payloads(); got != "wedge:"+s {
				t.Fatalf("burst %q came out as %q", s, got)
			}
		}
	})
}
