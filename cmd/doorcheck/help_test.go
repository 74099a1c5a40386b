package main

import (
	"strings"
	"testing"
)

// TestHelp: every command and every subcommand answers -h, --help and
// help on standard output with exit 0, and shows its own flags or verbs,
// never another command's; help opens no store.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string // all must appear on stdout
	}{
		{[]string{"--help"}, []string{"usage: doorcheck [COMMAND]", "snapshot", "scanner", "check"}},
		{[]string{"-h"}, []string{"usage: doorcheck [COMMAND]", "snapshot"}},
		{[]string{"-help"}, []string{"usage: doorcheck [COMMAND]", "snapshot"}},
		{[]string{"help"}, []string{"usage: doorcheck [COMMAND]", "snapshot"}},
		{[]string{"help", "check"}, []string{"usage: doorcheck check", "-json"}},
		{[]string{"help", "snapshot"}, []string{"usage: doorcheck snapshot SUBCOMMAND", "import"}},
		{[]string{"tui", "--help"}, []string{"usage: doorcheck tui", "-demo", "-serial"}},
		{[]string{"run", "--help"}, []string{"usage: doorcheck run", "-no-tui"}},
		{[]string{"check", "--help"}, []string{"usage: doorcheck check", "-dry-run"}},
		{[]string{"check", "-h"}, []string{"usage: doorcheck check", "-dry-run"}},
		{[]string{"undo", "--help"}, []string{"usage: doorcheck undo", "-config"}},
		{[]string{"stats", "--help"}, []string{"usage: doorcheck stats", "-config"}},
		{[]string{"sim", "--help"}, []string{"usage: doorcheck sim", "-port"}},
		{[]string{"provision", "--help"}, []string{"usage: doorcheck provision", "-code", "-force"}},
		{[]string{"sync", "--help"}, []string{"usage: doorcheck sync", "-once"}},
		{[]string{"snapshot", "--help"}, []string{"usage: doorcheck snapshot SUBCOMMAND", "gen", "import", "info"}},
		{[]string{"snapshot", "-h"}, []string{"gen", "import", "info"}},
		{[]string{"snapshot", "help"}, []string{"gen", "import", "info"}},
		{[]string{"snapshot", "gen", "--help"}, []string{"usage: doorcheck snapshot gen", "-subjects"}},
		{[]string{"snapshot", "import", "--help"}, []string{"usage: doorcheck snapshot import", "-hub-key"}},
		{[]string{"snapshot", "info", "--help"}, []string{"usage: doorcheck snapshot info", "-config"}},
		{[]string{"scanner", "--help"}, []string{"usage: doorcheck scanner SUBCOMMAND", "list"}},
		{[]string{"scanner", "-h"}, []string{"list"}},
		{[]string{"scanner", "list", "--help"}, []string{"usage: doorcheck scanner list"}},
		{[]string{"qr", "--help"}, []string{"usage: doorcheck qr SUBCOMMAND", "decode", "encode"}},
		{[]string{"qr", "help"}, []string{"decode", "encode"}},
		{[]string{"qr", "decode", "--help"}, []string{"usage: doorcheck qr decode"}},
		{[]string{"qr", "encode", "--help"}, []string{"usage: doorcheck qr encode", "-out"}},
		{[]string{"config", "check", "--help"}, []string{"usage: doorcheck config check", "-json"}},
		{[]string{"admin-pin", "--help"}, []string{"usage: doorcheck admin-pin", "-stdin"}},
		{[]string{"dcc", "--help"}, []string{"usage: doorcheck dcc SUBCOMMAND", "test"}},
		{[]string{"dcc", "test", "--help"}, []string{"usage: doorcheck dcc test", "-json"}},
		{[]string{"dcc", "trust", "import", "--help"}, []string{"usage: doorcheck dcc trust import", "-config"}},
		{[]string{"doctor", "--help"}, []string{"usage: doorcheck doctor", "-scan"}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			// No config anywhere: a command that tried to open the kiosk
			// would fail, so exit 0 proves help stops before it.
			stdout, stderr, code := run(t, map[string]string{}, "", tt.args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q, want 0 and nothing", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout, "Usage of") {
				t.Errorf("the flag package's generic header:\n%s", stdout)
			}
		})
		covered[tt.args[0]] = true
	}
	for _, c := range commands() {
		if !covered[c.name] {
			t.Errorf("command %q has no help case", c.name)
		}
	}
}

// TestSubcommandUsage: a missing or unknown subcommand is a usage error
// (exit 2) that lists the subcommands on standard error, and an unknown
// name comes back escaped.
func TestSubcommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"snapshot"}, {"snapshot", "bogus"}, {"scanner"}, {"scanner", "bogus"}, {"qr"}, {"qr", "bogus\x1b[2J"},
		{"scanner", "list", "extra"}, {"bogus\x1b]0;x\a"},
	} {
		stdout, stderr, code := run(t, map[string]string{}, "", args...)
		if code != exitUsage || stdout != "" || stderr == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and the list on stderr", args, code, stdout, stderr)
		}
		assertTerminalSafe(t, strings.Join(args, " "), stderr)
	}
}
