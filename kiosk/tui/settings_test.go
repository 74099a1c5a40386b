package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/doorcheck/doorcheck/kiosk/policy"
	"github.com/doorcheck/doorcheck/kiosk/tui/catalog"
)

// adminRig is a locked entry door that serves both directions, its
// switches recorded.
func adminRig(t *testing.T, pin bool) (*lockRig, *[]policy.Direction) {
	r := newLockRig(t, pin, false)
	var set []policy.Direction
	r.m.opt.Venue, r.m.opt.Door, r.m.opt.Direction = "cinema", "north", "entry"
	r.m.opt.Admin = AdminOptions{
		SetDirection: func(d policy.Direction) error { set = append(set, d); return nil },
		StorePath:    "/var/lib/doorcheck/visits.db", HubURL: "https://hub.example:8443",
	}
	return r, &set
}

// TestSettingsBehindPIN: F9 asks for the PIN; a wrong one leaves the
// page as it was, five lock the dialog (the right PIN then does nothing),
// the right one opens the settings screen with venue, door, direction,
// languages, data, store and hub; Esc goes back; F9 there goes back too.
func TestSettingsBehindPIN(t *testing.T) {
	r, _ := adminRig(t, true)
	r.key(tea.KeyF9, 0)
	if _, ok := r.m.dialog.(*pinDialog); !ok || r.m.page != pageMain {
		t.Fatalf("F9: dialog %T page %d", r.m.dialog, r.m.page)
	}
	if s := r.screen(); !strings.Contains(s, "open settings") {
		t.Fatalf("PIN dialog does not say what it opens:\n%s", s)
	}
	r.typeSlowly("1111")
	if r.m.page != pageMain || r.m.dialog == nil {
		t.Fatalf("a wrong PIN: page %d dialog %T", r.m.page, r.m.dialog)
	}
	r.typeSlowly(rigPIN)
	if r.m.page != pageSettings || r.m.dialog != nil {
		t.Fatalf("the right PIN: page %d dialog %T", r.m.page, r.m.dialog)
	}
	s := r.screen()
	for _, want := range []string{"SETTINGS", "Venue", "cinema", "north", "ENTRY", "F7: switch entry/exit", "en", "/var/lib/doorcheck/visits.db", "https://hub.example:8443", "until the kiosk restarts"} {
		if !strings.Contains(s, want) {
			t.Errorf("settings lack %q:\n%s", want, s)
		}
	}
	r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	if r.m.page != pageMain {
		t.Fatalf("Esc: page %d", r.m.page)
	}
	r.key(tea.KeyF9, 0)
	r.typeSlowly(rigPIN)
	r.key(tea.KeyF9, 0)
	if r.m.page != pageMain || r.m.dialog != nil {
		t.Fatalf("F9 on settings: page %d dialog %T", r.m.page, r.m.dialog)
	}

	t.Run("locked", func(t *testing.T) {
		r, _ := adminRig(t, true)
		r.key(tea.KeyF9, 0)
		for range pinTries {
			r.typeSlowly("1111")
		}
		r.typeSlowly(rigPIN)
		if r.m.page == pageSettings || !strings.Contains(r.screen(), "Try again in") {
			t.Fatalf("locked: page %d\n%s", r.m.page, r.screen())
		}
	})
	t.Run("no PIN set", func(t *testing.T) {
		r, _ := adminRig(t, false)
		r.key(tea.KeyF9, 0)
		if r.m.page != pageSettings || r.m.dialog != nil {
			t.Fatalf("unlocked kiosk: page %d dialog %T", r.m.page, r.m.dialog)
		}
	})
	t.Run("a scan closes it", func(t *testing.T) {
		r, _ := adminRig(t, false)
		r.key(tea.KeyF9, 0)
		r.verdict(greenAdmit)
		if r.m.page != pageMain {
			t.Fatalf("settings stayed open behind a visitor's verdict: page %d", r.m.page)
		}
	})
}

// TestDirectionSwitch: F7 with the PIN switches the door through the core
// and the idle screen shows the new direction; on the settings screen F7
// needs no second PIN; a wrong PIN switches nothing; a door with one
// direction says so and asks for nothing; a core that refuses leaves the
// direction as it was.
func TestDirectionSwitch(t *testing.T) {
	r, set := adminRig(t, true)
	r.key(tea.KeyF7, 0)
	if _, ok := r.m.dialog.(*pinDialog); !ok {
		t.Fatalf("F7: dialog %T", r.m.dialog)
	}
	r.typeSlowly("1111")
	if len(*set) != 0 {
		t.Fatalf("a wrong PIN switched: %v", *set)
	}
	r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	r.key(tea.KeyF7, 0)
	r.typeSlowly(rigPIN)
	if !slices.Equal(*set, []policy.Direction{policy.Exit}) || r.m.opt.Direction != "exit" {
		t.Fatalf("switched %v, direction %q", *set, r.m.opt.Direction)
	}
	if s := r.screen(); !strings.Contains(s, "This door now records: EXIT") || strings.Contains(s, "ENTRY") {
		t.Errorf("idle after the switch:\n%s", s)
	}
	r.key(tea.KeyF9, 0)
	r.typeSlowly(rigPIN)
	r.key(tea.KeyF7, 0)
	if r.m.dialog != nil || !slices.Equal(*set, []policy.Direction{policy.Exit, policy.Entry}) {
		t.Fatalf("F7 on settings: dialog %T, switched %v", r.m.dialog, *set)
	}
	if !strings.Contains(r.screen(), "ENTRY") {
		t.Errorf("settings do not show the direction:\n%s", r.screen())
	}

	t.Run("one direction", func(t *testing.T) {
		r, _ := adminRig(t, true)
		r.m.opt.Admin.SetDirection = nil
		r.key(tea.KeyF7, 0)
		if r.m.dialog != nil || !strings.Contains(r.screen(), "one direction only") {
			t.Fatalf("fixed door: dialog %T\n%s", r.m.dialog, r.screen())
		}
	})
	t.Run("refused", func(t *testing.T) {
		r, _ := adminRig(t, false)
		r.m.opt.Admin.SetDirection = func(policy.Direction) error { return errors.New("no") }
		r.key(tea.KeyF7, 0)
		if r.m.opt.Direction != "entry" || !strings.Contains(r.screen(), "Direction NOT switched") {
			t.Fatalf("refused: %q\n%s", r.m.opt.Direction, r.screen())
		}
	})
}

// TestLanguageOrderOnSettings: → and ← on the settings screen move the
// languages round for the session, the whole screen with them; with one
// language configured they step through the catalogue's.
func TestLanguageOrderOnSettings(t *testing.T) {
	r, _ := adminRig(t, false)
	r.m.cat = catalog.New(catalog.KK, catalog.RU, catalog.EN)
	r.key(tea.KeyF9, 0)
	r.key(tea.KeyRight, 0)
	if got := r.m.langs(); !slices.Equal(got, []catalog.Lang{catalog.RU, catalog.EN, catalog.KK}) {
		t.Fatalf("→: %v", got)
	}
	if s := r.screen(); !strings.Contains(s, "НАСТРОЙКИ") || !strings.Contains(s, "Русский · English · Қазақша") {
		t.Errorf("settings after →:\n%s", s)
	}
	if d := r.m.keys.Help.Help().Desc; !strings.HasPrefix(d, "справка") {
		t.Errorf("key help not in the new order: %q", d)
	}
	r.key(tea.KeyLeft, 0)
	if got := r.m.langs(); !slices.Equal(got, []catalog.Lang{catalog.KK, catalog.RU, catalog.EN}) {
		t.Fatalf("←: %v", got)
	}
	r.m.cat = catalog.New(catalog.EN)
	r.key(tea.KeyRight, 0)
	if got := r.m.langs(); !slices.Equal(got, []catalog.Lang{catalog.KK}) {
		t.Fatalf("one language →: %v", got)
	}
	r.key(tea.KeyLeft, 0)
	if got := r.m.langs(); !slices.Equal(got, []catalog.Lang{catalog.EN}) {
		t.Fatalf("one language ←: %v", got)
	}
}
