package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// Duration is a time.Duration written as "24h", "1500ms" or "90s".
type Duration struct{ time.Duration }

// UnmarshalYAML implements yaml.Unmarshaler. A bad value is a
// *yaml.TypeError, so decoding goes on and reports the rest of the file.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < 0 {
		return typeError(n, fmt.Sprintf("%q is not a duration like 90s, 1500ms or 24h", n.Value))
	}
	d.Duration = v
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.Duration.String(), nil }

// Statuses is an admitted set as written: one scalar or a list, each item
// a preset (standard, test-required), none, a status, or a comma-separated
// list of statuses. The set is the union of the items, so "standard",
// [green, blue] and "green, blue" all mean the same.
type Statuses []string

// UnmarshalYAML implements yaml.Unmarshaler: a scalar is a one-item list.
func (s *Statuses) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*s = Statuses{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(Statuses, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return typeError(item, "want a status name such as green")
			}
			out = append(out, item.Value)
		}
		*s = out
		return nil
	}
	return typeError(n, "want standard, test-required, or a list of statuses like [green, blue]")
}

// Set returns the statuses as a policy set.
func (s Statuses) Set() (policy.StatusSet, error) {
	if len(s) == 0 {
		return 0, fmt.Errorf("no statuses: want standard, test-required, none, or a list like [green, blue]")
	}
	var set policy.StatusSet
	for _, item := range s {
		v, err := policy.ParseStatusSet(item)
		if err != nil {
			return 0, err
		}
		set |= v
	}
	return set, nil
}

func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
}
