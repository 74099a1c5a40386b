package visit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/reason"
	"github.com/doorcheck/doorcheck/sync/wire"
)

func sample() Record {
	return Record{
		ID:        ID{0x01, 0x93, 0xa4, 0xc2, 0, 0, 0x70, 1, 0x80, 2, 3, 4, 5, 6, 7, 8},
		At:        time.Date(2026, 12, 2, 9, 14, 3, 120e6, time.UTC),
		Day:       "2026-12-02",
		Kiosk:     "k-1",
		Venue:     "cinema-7",
		Door:      "north",
		Direction: Entry,
		Kind:      KindIIN,
		Subject:   Subject{0xab, 1},
		Status:    wire.Green,
		Decision:  Admit,
		Reasons:   []reason.Code{},
	}
}

func TestRecordJSONRoundTrip(t *testing.T) {
	r := sample()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"direction":"entry"`, `"decision":"admit"`, `"kind":"iin"`, `"status":"green"`, `"subject":"ab010000000000000000000000000000"`, `"id":"0193a4c2-0000-7001-8002-030405060708"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoding lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), "undoes") {
		t.Errorf("zero undoes is written: %s", b)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != r.ID || !back.At.Equal(r.At) || back.Direction != Entry || back.Decision != Admit || back.Subject != r.Subject || back.Status != wire.Green {
		t.Fatalf("round trip: %+v", back)
	}
	if err := back.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestRecordValidate(t *testing.T) {
	for name, mutate := range map[string]func(*Record){
		"no id":          func(r *Record) { r.ID = ID{} },
		"bad day":        func(r *Record) { r.Day = "02.12.2026" },
		"long venue":     func(r *Record) { r.Venue = strings.Repeat("v", MaxNameLen+1) },
		"no direction":   func(r *Record) { r.Direction = 0 },
		"undo no target": func(r *Record) { r.Decision = Undo },
		"admit undoes":   func(r *Record) { r.Undoes = ID{1} },
	} {
		r := sample()
		mutate(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
	for _, in := range []string{`"sideways"`, `""`} {
		var d Direction
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("direction %s accepted", in)
		}
	}
	var id ID
	if err := id.UnmarshalText([]byte("0193a4c200007001800203040506070")); err == nil {
		t.Error("short id accepted")
	}
	if got := (ID{0x01, 0x93, 0xa4, 0xc2, 0x1a, 0x2b}).Time(); got.Year() < 2024 {
		t.Errorf("id time %v", got)
	}
}
