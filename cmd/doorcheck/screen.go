package main

import (
	"github.com/doorcheck/doorcheck/kiosk/tui"
)

// screenBells are the screen's bell patterns from ui.bell (validated with
// the config: a pattern it cannot parse rings the default).
func screenBells(k *openedKiosk) *tui.Bells {
	b := tui.DefaultBells()
	for _, p := range []struct {
		to *tui.BellPattern
		s  string
	}{
		{&b.Admit, k.cfg.UI.Bell.Admit}, {&b.Deny, k.cfg.UI.Bell.Deny},
		{&b.NotVerified, k.cfg.UI.Bell.NotVerified}, {&b.CannotRecord, k.cfg.UI.Bell.CannotRecord},
	} {
		if v, err := tui.ParseBell(p.s); err == nil {
			*p.to = v
		}
	}
	return &b
}

// screenAdmin is what the settings screen shows and may change: the door
// switches direction only when ui.direction_switch says it serves both.
func screenAdmin(k *openedKiosk) tui.AdminOptions {
	o := tui.AdminOptions{StorePath: k.cfg.Store.Path, HubURL: k.cfg.Hub.URL}
	if k.cfg.UI.DirectionSwitch {
		o.SetDirection = k.checker.SetDirection
	}
	return o
}
