package visit

import "fmt"

// Direction is the door's direction a visit was recorded at.
type Direction uint8

const (
	Entry Direction = 1
	Exit  Direction = 2
)

// Decision is what the kiosk decided (or did) at a scan.
type Decision uint8

const (
	Admit       Decision = 1
	Deny        Decision = 2
	NotVerified Decision = 3 // the payload could not be verified: no colour
	Undo        Decision = 4 // reverses an earlier visit (Record.Undoes)
	Override    Decision = 5 // staff admitted against the verdict
)

// PayloadKind is what the scanned payload was.
type PayloadKind uint8

const (
	KindUnknown PayloadKind = 1
	KindIIN     PayloadKind = 2
	KindPass    PayloadKind = 3
	KindDCC     PayloadKind = 4 // an EU Digital COVID Certificate ("HC1:")
)

var (
	directionNames = map[Direction]string{Entry: "entry", Exit: "exit"}
	decisionNames  = map[Decision]string{Admit: "admit", Deny: "deny", NotVerified: "not_verified", Undo: "undo", Override: "override"}
	kindNames      = map[PayloadKind]string{KindUnknown: "unknown", KindIIN: "iin", KindPass: "pass", KindDCC: "dcc"}
)

func (d Direction) String() string   { return name(directionNames, d, "direction") }
func (d Decision) String() string    { return name(decisionNames, d, "decision") }
func (k PayloadKind) String() string { return name(kindNames, k, "kind") }

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { _, ok := directionNames[d]; return ok }

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool { _, ok := decisionNames[d]; return ok }

// Valid reports whether k is a known payload kind.
func (k PayloadKind) Valid() bool { _, ok := kindNames[k]; return ok }

func (d Direction) MarshalText() ([]byte, error)   { return marshal(directionNames, d, "direction") }
func (d Decision) MarshalText() ([]byte, error)    { return marshal(decisionNames, d, "decision") }
func (k PayloadKind) MarshalText() ([]byte, error) { return marshal(kindNames, k, "kind") }

func (d *Direction) UnmarshalText(b []byte) error {
	return unmarshal(directionNames, d, b, "direction")
}
func (d *Decision) UnmarshalText(b []byte) error { return unmarshal(decisionNames, d, b, "decision") }
func (k *PayloadKind) UnmarshalText(b []byte) error {
	return unmarshal(kindNames, k, b, "kind")
}

// ParseDirection parses "entry" or "exit".
func ParseDirection(s string) (Direction, error) {
	var d Direction
	err := d.UnmarshalText([]byte(s))
	return d, err
}

func name[T ~uint8](names map[T]string, v T, what string) string {
	if s, ok := names[v]; ok {
		return s
	}
	return fmt.Sprintf("%s(%d)", what, uint8(v))
}

func marshal[T ~uint8](names map[T]string, v T, what string) ([]byte, error) {
	s, ok := names[v]
	if !ok {
		return nil, fmt.Errorf("cannot marshal unknown %s %d", what, uint8(v))
	}
	return []byte(s), nil
}

func unmarshal[T ~uint8](names map[T]string, v *T, b []byte, what string) error {
	for k, s := range names {
		if s == string(b) {
			*v = k
			return nil
		}
	}
	return fmt.Errorf("unknown %s (%d bytes)", what, len(b))
}
