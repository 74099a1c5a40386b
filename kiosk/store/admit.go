package store

import (
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// admit refuses, before a byte of it is written, a signed snapshot that
// must not become current whatever its body: one created in the future
// (beyond the clock skew), and one whose version jumps more than
// MaxVersionJump past the current version. The rollback and base rules
// follow in ImportFull and ApplyDelta.
func (s *Store) admit(m *wire.Manifest) error {
	now := time.Now
	if s.opt.Now != nil {
		now = s.opt.Now
	}
	if t := now(); m.CreatedAt.After(t.Add(s.opt.ClockSkew)) {
		return fmt.Errorf("version %d: %w: created %s, %s ahead of this kiosk's clock (%s, skew %s allowed): check the hub's and the kiosk's clocks",
			m.Version, ErrFromFuture, m.CreatedAt.UTC().Format(time.RFC3339), m.CreatedAt.Sub(t).Round(time.Second), t.UTC().Format(time.RFC3339), s.opt.ClockSkew)
	}
	var current uint64
	if cur, ok := s.Current(); ok {
		current = cur.Version
	}
	if m.Version > current && m.Version-current > MaxVersionJump {
		return fmt.Errorf("version %d: %w: more than %d past the current version %d (docs/formats.md)",
			m.Version, ErrVersionJump, uint64(MaxVersionJump), current)
	}
	return nil
}
