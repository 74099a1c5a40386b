package wire

import "fmt"

// Status is a person's health status. The zero value is Blue: anyone absent
// from the snapshot, or whose listed status has ended, is blue.
type Status uint8

const (
	Blue   Status = 0 // not listed as infected or contact (the default)
	Red    Status = 1 // positive test, strict home isolation
	Yellow Status = 2 // contact of a case
	Green  Status = 3 // vaccinated or recent negative test
)

// String returns the lowercase colour name used in configs, JSON and logs.
func (s Status) String() string {
	switch s {
	case Blue:
		return "blue"
	case Red:
		return "red"
	case Yellow:
		return "yellow"
	case Green:
		return "green"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Valid reports whether s is one of the four known statuses.
func (s Status) Valid() bool { return s <= Green }

// ParseStatus parses a colour name as written by String.
func ParseStatus(name string) (Status, error) {
	switch name {
	case "blue":
		return Blue, nil
	case "red":
		return Red, nil
	case "yellow":
		return Yellow, nil
	case "green":
		return Green, nil
	}
	return 0, fmt.Errorf("unknown status %q (want red, yellow, blue or green)", name)
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("cannot marshal invalid %v", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
