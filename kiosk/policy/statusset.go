package policy

import (
	"fmt"
	"strings"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// StatusSet is a set of statuses, one bit per status. Only the four valid
// statuses can be members, so two sets that admit the same people are
// equal (==).
type StatusSet uint8

// Presets from the venue rules of the brief.
const (
	// Standard venues admit green and blue.
	Standard = StatusSet(1<<wire.Green | 1<<wire.Blue)
	// TestRequired venues (airports) admit green only: a blue visitor
	// needs a vaccination or a recent negative test first.
	TestRequired = StatusSet(1 << wire.Green)
)

// allStatuses lists the statuses in the order sets are written.
func allStatuses() [4]wire.Status {
	return [4]wire.Status{wire.Green, wire.Blue, wire.Yellow, wire.Red}
}

// SetOf returns the set holding the given statuses. Invalid statuses are
// ignored: no rule can admit a status the kiosk does not know.
func SetOf(statuses ...wire.Status) StatusSet {
	var s StatusSet
	for _, st := range statuses {
		if st.Valid() {
			s |= 1 << st
		}
	}
	return s
}

// Has reports whether st is in the set.
func (s StatusSet) Has(st wire.Status) bool { return st.Valid() && s&(1<<st) != 0 }

// String returns the members as ParseStatusSet reads them back:
// "green,blue", or "none" for the empty set.
func (s StatusSet) String() string {
	var names []string
	for _, st := range allStatuses() {
		if s.Has(st) {
			names = append(names, st.String())
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// ParseStatusSet parses a preset name ("standard", "test-required"),
// "none" (a set that admits nobody, for a schedule rule that closes the
// door), or a comma-separated list of statuses ("green, blue"). An empty
// string is an error rather than the empty set, so a forgotten value
// does not lock everyone out.
func ParseStatusSet(s string) (StatusSet, error) {
	switch strings.TrimSpace(s) {
	case "standard":
		return Standard, nil
	case "test-required":
		return TestRequired, nil
	case "none":
		return 0, nil
	case "":
		return 0, fmt.Errorf("empty status set: want standard, test-required, none or statuses like green,blue")
	}
	var set StatusSet
	for _, name := range strings.Split(s, ",") {
		st, err := wire.ParseStatus(strings.TrimSpace(name))
		if err != nil {
			return 0, fmt.Errorf("status set %q: %w", s, err)
		}
		set |= 1 << st
	}
	return set, nil
}

// MarshalText implements encoding.TextMarshaler.
func (s StatusSet) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. On error s is left
// unchanged.
func (s *StatusSet) UnmarshalText(b []byte) error {
	v, err := ParseStatusSet(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
