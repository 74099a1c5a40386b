package wedge

import (
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/scanner/layout"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// typist drives an assembler with a clock.
type typist struct {
	a    *Assembler
	now  time.Time
	outs []Output
}

func newTypist(opt Options) *typist { return &typist{a: New(opt), now: t0} }

func (ty *typist) keys(s string, gap time.Duration) {
	for _, r := range s {
		k := Key{Rune: r}
		switch r {
		case '\r':
			k = Key{Special: Enter}
		case '\t':
			k = Key{Special: Tab}
		case '\b':
			k = Key{Special: Backspace}
		}
		ty.outs = append(ty.outs, ty.a.Feed(k, ty.now)...)
		ty.now = ty.now.Add(gap)
	}
}

func (ty *typist) wait(d time.Duration) {
	ty.now = ty.now.Add(d)
	ty.outs = append(ty.outs, ty.a.Tick(ty.now)...)
}

func (ty *typist) payloads() []string {
	var p []string
	for _, o := range ty.outs {
		if o.Kind == OutputPayload {
			p = append(p, o.Source+":"+o.Text)
		}
	}
	return p
}

const scanGap, humanGap = 3 * time.Millisecond, 150 * time.Millisecond

func TestScannerBurstWithEnter(t *testing.T) {
	ty := newTypist(Options{})
	ty.keys("900101400003\r", scanGap)
	if got := ty.payloads(); len(got) != 1 || got[0] != "wedge:900101400003" {
		t.Fatalf("%q", got)
	}
	if ty.a.Manual() != "" {
		t.Fatalf("burst left %q in the manual field", ty.a.Manual())
	}
}

func TestScannerBurstWithoutTerminator(t *testing.T) {
	ty := newTypist(Options{})
	ty.keys("900101400003", scanGap)
	ty.wait(20 * time.Millisecond)
	if len(ty.payloads()) != 0 {
		t.Fatal("ended before the idle gap")
	}
	ty.wait(50 * time.Millisecond)
	if got := ty.payloads(); len(got) != 1 || got[0] != "wedge:900101400003" {
		t.Fatalf("%q", got)
	}
}

func TestTabEndsBurst(t *testing.T) {
	ty := newTypist(Options{})
	ty.keys("DC1:ABC\tDC1:DEF\t", scanGap)
	if got := strings.Join(ty.payloads(), ","); got != "wedge:DC1:ABC,wedge:DC1:DEF" {
		t.Fatalf("%s", got)
	}
}

func TestHumanTyping(t *testing.T) {
	ty := newTypist(Options{})
	ty.keys("9001014000", humanGap)
	ty.keys("x\b", humanGap) // a typo, corrected
	ty.keys("03\r", humanGap)
	if got := ty.payloads(); len(got) != 1 || got[0] != "manual:900101400003" {
		t.Fatalf("%q", got)
	}
}

func TestBurstWhileTypingIsNotMixed(t *testing.T) {
	ty := newTypist(Options{})
	ty.keys("9001", humanGap) // a person starts typing
	ty.wait(300 * time.Millisecond)
	ty.keys("DC1:PASSPAYLOAD\r", scanGap) // a scan arrives meanwhile
	if got := ty.payloads(); len(got) != 1 || got[0] != "wedge:DC1:PASSPAYLOAD" {
		t.Fatalf("%q", got)
	}
	if ty.a.Manual() != "9001" {
		t.Fatalf("manual field = %q, want the person's 9001 untouched", ty.a.Manual())
	}
	ty.now = ty.now.Add(time.Second)
	ty.keys("01400003\r", humanGap)
	if got := ty.payloads(); len(got) != 2 || got[1] != "manual:900101400003" {
		t.Fatalf("%q", got)
	}
}

func TestLayoutRestored(t *testing.T) {
	valid := func(s string) bool { return s == "900101400003" || s == "DC1:AB" }
	ty := newTypist(Options{Valid: valid, Layouts: []layout.Layout{layout.Russian(), layout.Kazakh()}})
	ty.keys("ұққ\"қ\"ңққққі\r", scanGap) // an IIN through the Kazakh layout
	ty.wait(time.Second)
	ty.keys("ВС1ЖФИ\r", scanGap) // a pass through the Russian layout
	var layouts []string
	for _, o := range ty.outs {
		if o.Kind == OutputPayload {
			layouts = append(layouts, o.Layout)
		}
	}
	if got := strings.Join(ty.payloads(), ","); got != "wedge:900101400003,wedge:DC1:AB" || strings.Join(layouts, ",") != "kk,ru" {
		t.Fatalf("%s via %v", got, layouts)
	}
}

func TestBounds(t *testing.T) {
	ty := newTypist(Options{Max: 16, ManualMax: 4})
	ty.keys(strings.Repeat("A", 40)+"\r", scanGap)
	ty.keys("OK12\r", scanGap)
	if got := ty.payloads(); len(got) != 1 || got[0] != "wedge:OK12" {
		t.Fatalf("%q", got)
	}
	ty.wait(time.Second)
	ty.keys("123456", humanGap)
	if ty.a.Manual() != "1234" {
		t.Fatalf("manual %q", ty.a.Manual())
	}
	dropped := 0
	for _, o := range ty.outs {
		if o.Kind == OutputDropped {
			dropped++
		}
	}
	if dropped < 2 {
		t.Fatalf("%d drops reported", dropped)
	}
}

func FuzzAssembler(f *testing.F) {
	f.Add("90010\r1400003\t", uint8(3))
	f.Add("\b\b\rDC1:\x1b", uint8(100))
	f.Fuzz(func(t *testing.T, s string, gap uint8) {
		ty := newTypist(Options{Max: 64, ManualMax: 16})
		ty.keys(s, time.Duration(gap)*time.Millisecond)
		ty.wait(time.Second)
		for _, o := range ty.outs {
			if o.Kind == OutputPayload && len(o.Text) > 64*4 {
				t.Fatalf("payload of %d bytes", len(o.Text))
			}
		}
		if len([]rune(ty.a.Manual())) > 16 {
			t.Fatal("manual field over its bound")
		}
	})
}
