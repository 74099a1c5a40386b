package policy

import (
	"encoding"
	"testing"

	"github.com/doorcheck/doorcheck/sync/wire"
)

var (
	_ encoding.TextMarshaler   = Direction(0)
	_ encoding.TextUnmarshaler = (*Direction)(nil)
	_ encoding.TextMarshaler   = Mode(0)
	_ encoding.TextUnmarshaler = (*Mode)(nil)
	_ encoding.TextMarshaler   = StatusSet(0)
	_ encoding.TextUnmarshaler = (*StatusSet)(nil)
)

func TestDirectionAndMode(t *testing.T) {
	for _, d := range []Direction{Entry, Exit} {
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Direction = 7
		if err := back.UnmarshalText(b); err != nil || back != d {
			t.Errorf("%v: round trip gave %v, %v", d, back, err)
		}
	}
	for _, m := range []Mode{Warn, Deny} {
		b, err := m.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Mode = 7
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("%v: round trip gave %v, %v", m, back, err)
		}
	}
	if Entry.String() != "entry" || Exit.String() != "exit" || Warn.String() != "warn" || Deny.String() != "deny" {
		t.Error("names changed; configs and JSON depend on them")
	}
	for _, s := range []string{"", "Entry", "sideways", " exit"} {
		d := Exit
		if err := d.UnmarshalText([]byte(s)); err == nil || d != Exit {
			t.Errorf("direction %q: err %v, value %v (want error, unchanged)", s, err, d)
		}
	}
	for _, s := range []string{"", "Deny", "maybe"} {
		m := Deny
		if err := m.UnmarshalText([]byte(s)); err == nil || m != Deny {
			t.Errorf("mode %q: err %v, value %v (want error, unchanged)", s, err, m)
		}
	}
	if _, err := Direction(5).MarshalText(); err == nil {
		t.Error("marshalled an unknown direction")
	}
	if _, err := Mode(5).MarshalText(); err == nil {
		t.Error("marshalled an unknown mode")
	}
}

func TestParseStatusSet(t *testing.T) {
	tests := []struct {
		in   string
		want StatusSet
		ok   bool
	}{
		{"standard", Standard, true},
		{" test-required ", TestRequired, true},
		{"none", 0, true},
		{"green,blue", Standard, true},
		{"blue, green", Standard, true},
		{"green", TestRequired, true},
		{"green,green", TestRequired, true},
		{"red,yellow,blue,green", SetOf(wire.Red, wire.Yellow, wire.Blue, wire.Green), true},
		{"", 0, false},
		{"  ", 0, false},
		{"purple", 0, false},
		{"green,,blue", 0, false},
		{"green,", 0, false},
		{"Green", 0, false},
		{"standard,yellow", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseStatusSet(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStatusSet(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	// Every set writes itself in a form that reads back.
	for s := range StatusSet(16) {
		set := StatusSet(0)
		for i, st := range allStatusList {
			if s&(1<<i) != 0 {
				set |= SetOf(st)
			}
		}
		back, err := ParseStatusSet(set.String())
		if err != nil || back != set {
			t.Errorf("%v: read back as %v, %v", set, back, err)
		}
	}
	if Standard.String() != "green,blue" || TestRequired.String() != "green" || SetOf().String() != "none" {
		t.Errorf("preset names: %v %v %v", Standard, TestRequired, SetOf())
	}
	if SetOf(wire.Green, wire.Status(5), wire.Status(200)) != TestRequired {
		t.Error("SetOf kept an invalid status")
	}
}

func TestParseClockTime(t *testing.T) {
	tests := []struct {
		in   string
		want ClockTime
		ok   bool
	}{
		{"00:00", 0, true},
		{"07:30", 450, true},
		{"7:30", 450, true},
		{"23:59", 1439, true},
		{"24:00", 0, false},
		{"25:00", 0, false},
		{"12:60", 0, false},
		{"12", 0, false},
		{"12:5", 0, false},
		{"noon", 0, false},
		{"", 0, false},
		{"12:00:00", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseClockTime(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseClockTime(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if Clock(7, 30).String() != "07:30" || Clock(0, 0).String() != "00:00" {
		t.Error("ClockTime.String")
	}
}
