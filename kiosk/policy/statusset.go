package policy

import (
	"fmt"
	"strings"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// StatusSet is a set of statuses, one bit each.
type StatusSet uint8

// Presets from the venue rules of the brief.
const (
	// Standard venues admit green and blue.
	Standard = StatusSet(1<<wire.Green | 1<<wire.Blue)
	// TestRequired venues (airports) admit green only.
	TestRequired = StatusSet(1 << wire.Green)
)

// SetOf returns the set holding the given statuses.
func SetOf(statuses ...wire.Status) StatusSet {
	var s StatusSet
	for _, st := range statuses {
		s |= 1 << st
	}
	return s
}

// Has reports whether st is in the set.
func (s StatusSet) Has(st wire.Status) bool { return st.Valid() && s&(1<<st) != 0 }

func (s StatusSet) String() string {
	var names []string
	for _, st := range []wire.Status{wire.Green, wire.Blue, wire.Yellow, wire.Red} {
		if s.Has(st) {
			names = append(names, st.String())
		}
	}
	return "{" + strings.Join(names, ",") + "}"
}

// ParseStatusSet parses a preset name ("standard", "test-required") or a
// comma-separated list of statuses ("green,blue").
func ParseStatusSet(s string) (StatusSet, error) {
	switch strings.TrimSpace(s) {
	case "standard":
		return Standard, nil
	case "test-required":
		return TestRequired, nil
	}
	var set StatusSet
	for _, name := range strings.Split(s, ",") {
		st, err := wire.ParseStatus(strings.TrimSpace(name))
		if err != nil {
			return 0, fmt.Errorf("admitted statuses %q: %w", s, err)
		}
		set |= 1 << st
	}
	return set, nil
}
