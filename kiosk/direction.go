package kiosk

import (
	"fmt"

	"github.com/doorcheck/doorcheck/kiosk/policy"
)

// SetDirection switches what the door records, entry or exit, from the
// next check on: for a door that serves both (ui.direction_switch), at an
// admin's request on the screen. A check, undo or override in progress
// finishes with the direction it started with; the config file is not
// changed, so a restart records the configured direction again.
func (c *Checker) SetDirection(d policy.Direction) error {
	if d != policy.Entry && d != policy.Exit {
		return fmt.Errorf("kiosk: direction %v: want entry or exit", d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set.Direction = d
	return nil
}

// Direction is what the door records now.
func (c *Checker) Direction() policy.Direction {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set.Direction
}
