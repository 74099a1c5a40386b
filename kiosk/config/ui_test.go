package config

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestUISection: the ui section's defaults, a valid choice, and every
// invalid one reported at its field and line.
func TestUISection(t *testing.T) {
	c, err := Parse([]byte(minimal), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.UI.Languages, []string{"kk", "ru", "en"}) || len(c.UI.OverrideReasons) != 3 {
		t.Errorf("defaults: %+v", c.UI)
	}
	if got, want := c.AdminPINPath(), filepath.Join(filepath.Dir(DefaultStorePath), "admin.pin"); got != want {
		t.Errorf("AdminPINPath() = %q, want %q", got, want)
	}
	c, err = Parse([]byte(minimal+"ui:\n  languages: [ru]\n  admin_pin_file: pin.hash\n  override_reasons: [staff, vip_guest]\n"), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.UI.Languages, []string{"ru"}) || c.AdminPINPath() != "/etc/doorcheck/pin.hash" || !slices.Equal(c.UI.OverrideReasons, []string{"staff", "vip_guest"}) {
		t.Errorf("set: %+v, pin at %s", c.UI, c.AdminPINPath())
	}
	if want := (Bell{Admit: "1", Deny: "3", NotVerified: "2", CannotRecord: "long"}); c.UI.Bell != want {
		t.Errorf("bell defaults %+v, want %+v", c.UI.Bell, want)
	}
	// A number unquoted is a pattern as well; keys not given keep their
	// defaults.
	c, err = Parse([]byte(minimal+"ui:\n  bell:\n    admit: off\n    deny: 5\n"), "/etc/doorcheck")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Bell{Admit: "off", Deny: "5", NotVerified: "2", CannotRecord: "long"}); c.UI.Bell != want {
		t.Errorf("bell %+v, want %+v", c.UI.Bell, want)
	}
	if c.UI.DirectionSwitch {
		t.Error("direction_switch is on by default")
	}
	if c, err = Parse([]byte(minimal+"ui:\n  direction_switch: true\n"), "/etc/doorcheck"); err != nil || !c.UI.DirectionSwitch {
		t.Errorf("direction_switch: %v", err)
	}

	tests := []struct {
		name, ui string
		field    string
		line     int
	}{
		{"no language", "ui:\n  languages: []\n", "ui.languages", 4},
		{"unknown language", "ui:\n  languages: [kk, de]\n", "ui.languages[1]", 4},
		{"language twice", "ui:\n  languages:\n    - en\n    - en\n", "ui.languages[1]", 6},
		{"no reason", "ui:\n  override_reasons: []\n", "ui.override_reasons", 4},
		{"bad reason", "ui:\n  override_reasons:\n    - staff\n    - \"Paper test\"\n", "ui.override_reasons[1]", 6},
		{"reason twice", "ui:\n  override_reasons: [staff, staff]\n", "ui.override_reasons[1]", 4},
		{"ten reasons", "ui:\n  override_reasons: [a, b, c, d, e, f, g, h, i, j]\n", "ui.override_reasons", 4},
		{"bad bell", "ui:\n  bell:\n    deny: loud\n", "ui.bell.deny", 5},
		{"ten bells", "ui:\n  bell:\n    admit: 10\n", "ui.bell.admit", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal+tt.ui), "/etc/doorcheck")
			ps := Problems(err)
			if len(ps) != 1 {
				t.Fatalf("problems %v, want one at %s", ps, tt.field)
			}
			if ps[0].Field != tt.field || ps[0].Line != tt.line {
				t.Errorf("problem %q at %s line %d, want %s line %d", ps[0].Text, ps[0].Field, ps[0].Line, tt.field, tt.line)
			}
		})
	}
}
