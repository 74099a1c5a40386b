package policy

import "fmt"

// Direction says whether a door counts people in or out. Every entrance
// has a pair of kiosks (or codes), one each way, so the venue knows how
// many are inside.
type Direction int

const (
	Entry Direction = iota // the zero value: a door is an entrance unless configured otherwise
	Exit
)

// String returns "entry" or "exit", as written in configs and JSON.
func (d Direction) String() string {
	switch d {
	case Entry:
		return "entry"
	case Exit:
		return "exit"
	}
	return fmt.Sprintf("direction(%d)", int(d))
}

// ParseDirection parses "entry" or "exit".
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "entry":
		return Entry, nil
	case "exit":
		return Exit, nil
	}
	return 0, fmt.Errorf("direction %q: want entry or exit", s)
}

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) {
	if d != Entry && d != Exit {
		return nil, fmt.Errorf("marshal %v: not entry or exit", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. On error d is left
// unchanged.
func (d *Direction) UnmarshalText(b []byte) error {
	v, err := ParseDirection(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Mode says what a rule does when it applies: warn (admit, and show the
// reason) or deny. Warn is the zero value because the field taught that a
// kiosk which refuses everyone on a technicality gets switched off.
type Mode int

const (
	Warn Mode = iota
	Deny
)

// String returns "warn" or "deny", as written in configs.
func (m Mode) String() string {
	switch m {
	case Warn:
		return "warn"
	case Deny:
		return "deny"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ParseMode parses "warn" or "deny".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "warn":
		return Warn, nil
	case "deny":
		return Deny, nil
	}
	return 0, fmt.Errorf("mode %q: want warn or deny", s)
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) {
	if m != Warn && m != Deny {
		return nil, fmt.Errorf("marshal %v: not warn or deny", m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. On error m is left
// unchanged.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
