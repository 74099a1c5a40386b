package wire

import "fmt"

// ChangeSize is the encoded size of one delta record: an op byte and an entry.
const ChangeSize = 1 + EntrySize

// Op says what a delta record does to a subject.
type Op uint8

const (
	// OpPut adds the subject or replaces its entry.
	OpPut Op = 1
	// OpRemove deletes the subject's entry, so it reads as blue. The entry's
	// status and Until are zero.
	OpRemove Op = 2
)

func (o Op) String() string {
	switch o {
	case OpPut:
		return "put"
	case OpRemove:
		return "remove"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Change is one record of a delta snapshot.
type Change struct {
	Op    Op
	Entry Entry
}

// Put encodes c into the first ChangeSize bytes of b.
func (c Change) Put(b []byte) {
	b[0] = byte(c.Op)
	c.Entry.Put(b[1:])
}

// DecodeChange decodes the first ChangeSize bytes of b without validating.
func DecodeChange(b []byte) Change {
	return Change{Op: Op(b[0]), Entry: DecodeEntry(b[1:])}
}

// Validate reports whether c may appear in a delta.
func (c Change) Validate() error {
	switch c.Op {
	case OpPut:
		return c.Entry.Validate()
	case OpRemove:
		if c.Entry.Status != Blue || c.Entry.Until != 0 {
			return fmt.Errorf("remove %s: status and until must be zero", c.Entry.Subject.Masked())
		}
		if c.Entry.Subject.IsZero() {
			return fmt.Errorf("remove of the all-zero subject key")
		}
		return nil
	}
	return fmt.Errorf("change %s: unknown op byte %d", c.Entry.Subject.Masked(), uint8(c.Op))
}
