package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
)

// UI is what the kiosk screen shows and who may change it.
type UI struct {
	// Languages are shown together on screen, in this order: kk | ru |
	// en, one to three of them. Kazakh first is the state language; the
	// default shows all three. A line shows every language, joined by
	// " | ", when it fits the screen, else the first language only; the
	// visitor's prompt and a verdict's reasons are stacked one language a
	// line where the rows allow; the verdict word is drawn large in the
	// first language with the others under it; the status bar, history
	// columns and stats labels are in the first language (the guard's).
	Languages []string `yaml:"languages"`
	// AdminPINFile holds the admin PIN's argon2id hash, as `doorcheck
	// admin-pin --config FILE` writes it (mode 0600). Quitting,
	// switching direction, undo, override and settings need the PIN;
	// with no file the kiosk is unlocked and its idle screen says how to
	// set one. Empty: admin.pin beside the visit store. Relative paths as
	// for store.path.
	AdminPINFile string `yaml:"admin_pin_file"`
	// OverrideReasons are the reasons an admin may pick to admit a
	// denied visitor anyway (one to nine, picked with keys 1–9; letters,
	// digits and _ only). paper_test, staff and emergency_services are
	// shown translated; any other is shown as written.
	OverrideReasons []string `yaml:"override_reasons"`
	// Bell is the terminal bell per verdict, so a guard hears the result
	// without looking: each "off", "1" to "9" (that many short bells,
	// 0.2 s apart) or "long" (a run of bells half a second long). The
	// Linux console beeps; a terminal beeps or flashes as it is set up.
	Bell Bell `yaml:"bell"`
	// DirectionSwitch says the door serves both entry and exit: an admin
	// may switch what it records (F7, or the settings screen, with the
	// admin PIN) until the kiosk restarts; kiosk.direction is where it
	// starts. Off: the door records kiosk.direction only.
	DirectionSwitch bool `yaml:"direction_switch"`
}

// Bell is the bell pattern of each verdict (see UI.Bell).
type Bell struct {
	// Admit rings for an admit: an entry, an exit recorded, an admin's
	// override, an undo.
	Admit string `yaml:"admit"`
	// Deny rings when a visitor is refused.
	Deny string `yaml:"deny"`
	// NotVerified rings when the payload could not be verified (no
	// colour earned).
	NotVerified string `yaml:"not_verified"`
	// CannotRecord rings when the visit could not be recorded: the guard
	// must not admit on that screen.
	CannotRecord string `yaml:"cannot_record"`
}

// BellPatterns are the values a bell pattern takes. kiosk/tui parses
// them (tui.ParseBell); the config does not import it.
func BellPatterns() []string {
	return []string{"off", "1", "2", "3", "4", "5", "6", "7", "8", "9", "long"}
}

// Limits on the ui section.
const (
	maxOverrideReasons = 9 // picked with the digit keys 1–9
)

// uiLanguages are the languages of the screen catalogue
// (kiosk/tui/catalog), which the config does not import.
func uiLanguages() []string { return []string{"kk", "ru", "en"} }

var overrideReasonRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func defaultUI() UI {
	return UI{
		Languages:       []string{"kk", "ru", "en"},
		OverrideReasons: []string{"paper_test", "staff", "emergency_services"},
		// One bell lets in, three stop, two say look again; a visit
		// that could not be recorded rings long.
		Bell: Bell{Admit: "1", Deny: "3", NotVerified: "2", CannotRecord: "long"},
	}
}

func (c *Config) validateUI(p *problems) {
	u := c.UI
	if len(u.Languages) == 0 {
		p.add("ui.languages", "want at least one of kk, ru, en")
	}
	for i, l := range u.Languages {
		if !slices.Contains(uiLanguages(), l) {
			p.add(fmt.Sprintf("ui.languages[%d]", i), "want kk, ru or en, got %q", l)
		} else if slices.Index(u.Languages, l) != i {
			p.add(fmt.Sprintf("ui.languages[%d]", i), "%q is listed twice", l)
		}
	}
	switch {
	case len(u.OverrideReasons) == 0:
		p.add("ui.override_reasons", "want at least one reason")
	case len(u.OverrideReasons) > maxOverrideReasons:
		p.add("ui.override_reasons", "at most %d (keys 1–9), got %d", maxOverrideReasons, len(u.OverrideReasons))
	}
	for _, b := range []struct{ field, v string }{
		{"admit", u.Bell.Admit}, {"deny", u.Bell.Deny}, {"not_verified", u.Bell.NotVerified}, {"cannot_record", u.Bell.CannotRecord},
	} {
		if !slices.Contains(BellPatterns(), b.v) {
			p.add("ui.bell."+b.field, "want off, 1 to 9 or long, got %q", b.v)
		}
	}
	for i, r := range u.OverrideReasons {
		if !overrideReasonRe.MatchString(r) {
			p.add(fmt.Sprintf("ui.override_reasons[%d]", i), "want 1 to 32 of a-z, 0-9 and _, got %q", r)
		} else if slices.Index(u.OverrideReasons, r) != i {
			p.add(fmt.Sprintf("ui.override_reasons[%d]", i), "%q is listed twice", r)
		}
	}
}

// AdminPINPath is where the admin PIN's hash is: ui.admin_pin_file, or
// admin.pin beside the visit store.
func (c *Config) AdminPINPath() string {
	if c.UI.AdminPINFile != "" {
		return c.UI.AdminPINFile
	}
	return filepath.Join(filepath.Dir(c.Store.Path), "admin.pin")
}
