package wedge

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/doorcheck/doorcheck/scanner/layout"
)

// hostile is typed, scanned and pasted below: terminal sequences, 8-bit
// controls as UTF-8 and as raw bytes, bidi and invisible characters, C0
// controls and DEL, invalid UTF-8.
var hostile = []string{
	"\x1b]0;pwned\x07", "\x1b[2J", "\u009b2J", "\u009d0;x\u009c", "\x9b2J", "\x9d0;x\x07",
	"\u202e", "\u2066", "\u200b", "\u00ad", "\u0085", "\x00", "\x7f", "\xff\xfe", "\\",
}

// keysOfBytes types s with invalid bytes as U+FFFD, as a key decoder does.
func (ty *typist) keysOfBytes(s string, gap time.Duration) {
	ty.keys(strings.ToValidUTF8(s, "\uFFFD"), gap)
}

// fieldOK reports whether the field holds only an IIN's characters, the
// Kazakh number row's, and BadKey.
func fieldOK(s string) bool {
	return strings.Trim(s, iinKeys+layout.Kazakh().Type(iinKeys)+string(BadKey)) == ""
}

// TestTypedHostileInputNeverLandsInTheField: typed slowly (150 ms a key,
// as a person or a slow scanner types), no hostile character enters the
// field, and the entry is discarded at Enter, never submitted without it.
func TestTypedHostileInputNeverLandsInTheField(t *testing.T) {
	for _, h := range hostile {
		ty := newTypist(Options{Layouts: []layout.Layout{layout.Kazakh()}})
		for _, r := range "9001" + strings.ToValidUTF8(h, "\uFFFD") + "01400003" {
			ty.keys(string(r), humanGap)
			if !fieldOK(ty.a.Manual()) {
				t.Fatalf("%q: field holds %q", h, ty.a.Manual())
			}
		}
		ty.keys("\r", humanGap)
		if p := ty.payloads(); p != "" && h != "\x00" && h != "\x7f" {
			// NUL is no key and DEL is Backspace: both leave digits only.
			t.Errorf("%q: submitted %q", h, p)
		}
	}
}

func TestManualField(t *testing.T) {
	kk := []layout.Layout{layout.Kazakh()}
	tests := []struct {
		name     string
		opt      Options
		keys     string
		payloads string
		drops    string
		manual   string
	}{
		{"digits, spaces and dashes", Options{}, "900101 400-003\r", "manual:900101 400-003", "", ""},
		{"a letter spoils the entry", Options{}, "9001014000o3\r", "", "manual:typed entry discarded: an IIN holds only digits", ""},
		{"Backspace takes the bad key out", Options{}, "9001014000o\b03\r", "manual:900101400003", "", ""},
		{"the bad key shows as a placeholder", Options{}, "90\u202e01", "", "", "90\ufffd01"},
		{"Kazakh number row is taken and restored", Options{Valid: func(s string) bool { return s == "900101400003" }, Layouts: kk},
			layout.Kazakh().Type("900101400003") + "\r", "manual:900101400003", "", ""},
		{"Kazakh letters off the number row are not", Options{Layouts: kk}, "9001ж\r", "", "manual:typed entry discarded: an IIN holds only digits", ""},
		{"without layouts the Kazakh number row is no IIN", Options{}, layout.Kazakh().Type("9001") + "\r", "", "manual:typed entry discarded: an IIN holds only digits", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ty := newTypist(tt.opt)
			ty.keys(tt.keys, humanGap)
			if got := ty.payloads(); got != tt.payloads {
				t.Errorf("payloads %q, want %q", got, tt.payloads)
			}
			if got := strings.Join(ty.got(OutputDropped), ","); got != tt.drops {
				t.Errorf("drops %q, want %q", got, tt.drops)
			}
			if got := ty.a.Manual(); got != tt.manual {
				t.Errorf("field %q, want %q", got, tt.manual)
			}
		})
	}
}

// TestSpoiledFieldSaysSo: the UI learns at once that the entry will be
// discarded, and when it no longer will.
func TestSpoiledFieldSaysSo(t *testing.T) {
	ty := newTypist(Options{ManualMax: 4})
	ty.keys("9x", humanGap)
	if o := ty.outs[len(ty.outs)-1]; o.Kind != OutputManual || o.Refused == "" {
		t.Fatalf("after a bad key: %+v", o)
	}
	ty.keys("\b", humanGap)
	if o := ty.outs[len(ty.outs)-1]; o.Refused != "" {
		t.Fatalf("after Backspace: %+v", o)
	}
	ty.keys("0123", humanGap)
	if o := ty.outs[len(ty.outs)-1]; o.Kind != OutputManual || !strings.Contains(o.Refused, "too long") {
		t.Fatalf("after one key too many: %+v", o)
	}
}

func TestPaste(t *testing.T) {
	long := strings.Repeat("\u202e\x1b[2J\x9b9", 30<<10) // over 100 KB
	tests := []struct {
		name, typed, text string
		enter             string // payloads or drops after Enter
	}{
		{"an IIN with its line break", "", "900101400003\r\n", "payload manual:900101400003"},
		{"into what was typed", "900101", "400003", "payload manual:900101400003"},
		{"hostile", "9001", "1\x1b]0;x\x07\u202e\xff", "drop manual:typed entry discarded: an IIN holds only digits"},
		{"100 KB", "9001", long, "drop manual:typed entry over 64 characters discarded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ty := newTypist(Options{})
			ty.keys(tt.typed, humanGap)
			ty.now = ty.now.Add(humanGap)
			n := len(ty.outs)
			outs := ty.a.Paste(tt.text, ty.now)
			ty.outs = append(ty.outs, outs...)
			if len(outs) != 1 || outs[0].Kind != OutputManual {
				t.Fatalf("paste gave %+v, want one field change", outs)
			}
			// Each character is itself or BadKey, up to the bound.
			want := []rune(tt.typed + strings.Map(func(r rune) rune {
				if strings.ContainsRune(iinKeys, r) {
					return r
				}
				return BadKey
			}, strings.TrimRight(tt.text, "\r\n")))
			want = want[:min(len(want), DefaultManualMax)]
			if got := ty.a.Manual(); got != string(want) {
				t.Fatalf("field %q, want %q", got, string(want))
			}
			if p := ty.payloads(); p != "" {
				t.Fatalf("a paste submitted %q", p)
			}
			ty.keys("\r", humanGap)
			var got []string
			for _, o := range ty.outs[n:] {
				switch o.Kind {
				case OutputPayload:
					got = append(got, "payload "+o.Source+":"+o.Text)
				case OutputDropped:
					got = append(got, "drop "+o.Source+":"+o.Text)
				}
			}
			if strings.Join(got, ",") != tt.enter {
				t.Fatalf("Enter gave %q, want %q", got, tt.enter)
			}
		})
	}
}

// TestBurstsAreBounded: hostile bursts, 100 KB among them, never yield a
// payload over Max, and framing resynchronises after each.
func TestBurstsAreBounded(t *testing.T) {
	ty := newTypist(Options{})
	var long strings.Builder
	for long.Len() < 100<<10 {
		long.WriteString("7\u202e\x1b[2J\u009b\x9d\u200b\xff")
	}
	for _, h := range append(hostile, long.String()) {
		ty.keysOfBytes("DC1:"+h+"\r", scanGap)
		ty.keys("DC1:OK\r", scanGap)
	}
	ty.wait(time.Second)
	oks := 0
	for _, o := range ty.outs {
		if o.Kind == OutputPayload && len(o.Text) > DefaultMax {
			t.Fatalf("payload of %d bytes", len(o.Text))
		}
		if o.Kind == OutputPayload && o.Text == "DC1:OK" {
			oks++
		}
		if o.Kind == OutputManual && !utf8.ValidString(o.Text) {
			t.Fatalf("field %q", o.Text)
		}
	}
	if oks != len(hostile)+1 {
		t.Fatalf("%d of %d scans after a hostile one came out whole", oks, len(hostile)+1)
	}
	if m := ty.a.Manual(); m != "" {
		t.Fatalf("bursts left %q in the field", m)
	}
}

func FuzzPaste(f *testing.F) {
	f.Add("9001", "900101400003\r\n")
	f.Add("", "\x1b]0;x\x07\u202e\xff")
	f.Fuzz(func(t *testing.T, typed, pasted string) {
		const manualMax = 16
		ty := newTypist(Options{ManualMax: manualMax, Layouts: []layout.Layout{layout.Kazakh()}})
		ty.keysOfBytes(typed, humanGap)
		ty.now = ty.now.Add(humanGap)
		ty.outs = append(ty.outs, ty.a.Paste(pasted, ty.now)...)
		m := ty.a.Manual()
		if n := utf8.RuneCountInString(m); n > manualMax {
			t.Fatalf("field of %d characters", n)
		}
		if !fieldOK(m) {
			t.Fatalf("field holds %q", m)
		}
		if p := ty.payloads(); strings.Contains(p, "manual:") && !strings.ContainsAny(typed, "\r\t") {
			t.Fatalf("a paste submitted %q", p)
		}
	})
}
