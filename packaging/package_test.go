// Package packaging holds the appliance .deb build (package.sh, nfpm.yaml,
// the maintainer scripts) and its test, which builds the amd64 package the
// way `make package` does and checks what dpkg sees in it.
package packaging

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testVersion has a pre-release part, which Debian spells with a tilde
// (sorting before 0.9.0 itself).
const (
	testVersion    = "0.9.0-rc1"
	testDebVersion = "0.9.0~rc1"
)

// debEntry is one line of dpkg-deb --contents.
type debEntry struct {
	mode  string // "-rwxr-xr-x", "drwxr-x---"
	owner string // "root/root"
}

// buildDeb runs package.sh for amd64 into a temporary directory and returns
// the .deb's path. The build's environment has no GOOS/GOARCH/GOARM/CGO
// setting of its own: package.sh sets them per architecture.
func buildDeb(t *testing.T) string {
	t.Helper()
	dist := t.TempDir()
	// With an empty build cache the nested builds (nfpm, and the binaries
	// with -trimpath, which share no cache entries with the suite's) take
	// minutes: stop them, the whole process group, a minute before go
	// test's deadline, which would leave them running, and say why.
	ctx := t.Context()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-time.Minute))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "sh", "package.sh", testVersion, "amd64")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GOOS", "GOARCH", "GOARM", "CGO_ENABLED", "DOORCHECK_DIST", "SOURCE_DATE_EPOCH":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, "DOORCHECK_DIST="+dist, "SOURCE_DATE_EPOCH=1790000000")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("package.sh %s amd64 stopped after %v, near the test's deadline (an empty build cache? `make package ARCHES=amd64` first fills it): %v\n%s",
				testVersion, time.Since(start).Round(time.Second), err, out.String())
		}
		t.Fatalf("package.sh %s amd64: %v\n%s", testVersion, err, out.String())
	}
	deb := filepath.Join(dist, "doorcheck_"+testVersion+"_amd64.deb")
	st, err := os.Stat(deb)
	if err != nil {
		t.Fatalf("package.sh did not write %s: %v\n%s", deb, err, out.String())
	}
	t.Logf("package.sh %s amd64: %d bytes in %v", testVersion, st.Size(), time.Since(start).Round(100*time.Millisecond))
	return deb
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// expectedFiles is every regular file the package must hold, with its
// source in the repository, from the same globs as nfpm.yaml (so a new
// doc or example config is expected without editing this test).
func expectedFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{
		"/lib/systemd/system/doorcheck.service":          "configs/doorcheck.service",
		"/lib/systemd/system/doorcheck-headless.service": "configs/doorcheck-headless.service",
		"/lib/systemd/system/doorcheck-hub.service":      "configs/doorcheck-hub.service",
		"/lib/udev/rules.d/99-doorcheck-scanner.rules":   "configs/99-doorcheck-scanner.rules",
		"/etc/systemd/journald.conf.d/doorcheck.conf":    "configs/journald-doorcheck.conf",
		"/etc/doorcheck/kiosk.yaml.example":              "configs/kiosk.example.yaml",
		"/usr/share/doc/doorcheck/configuration.md":      "configs/README.md",
		"/usr/share/doc/doorcheck/README.md":             "README.md",
	}
	for _, g := range []struct{ glob, dst string }{
		{"configs/*.yaml", "/usr/share/doc/doorcheck/examples/"},
		{"docs/*.md", "/usr/share/doc/doorcheck/"},
	} {
		m, err := filepath.Glob(filepath.Join("..", g.glob))
		if err != nil || len(m) == 0 {
			t.Fatalf("glob %s: %v (%d files)", g.glob, err, len(m))
		}
		for _, p := range m {
			files[g.dst+filepath.Base(p)] = filepath.Join(filepath.Base(filepath.Dir(p)), filepath.Base(p))
		}
	}
	return files
}

// TestDebPackage builds the amd64 .deb with package.sh and checks it the
// way dpkg sees it: control fields, conffiles and maintainer scripts
// (dpkg-deb --info, -e), every path with its mode and owner (dpkg-deb
// --contents), then the files unpacked into a scratch root (dpkg -x):
// modes, contents equal to the repository's, static -trimpath binaries for
// amd64 that run, and the installed example config passing config check.
func TestDebPackage(t *testing.T) {
	for _, tool := range []string{"dpkg-deb", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found (Debian's dpkg package): cannot inspect the .deb", tool)
		}
	}
	if testing.Short() {
		t.Skip("-short: builds the amd64 package")
	}
	deb := buildDeb(t)

	t.Run("info", func(t *testing.T) {
		for field, want := range map[string]string{
			"Package":      "doorcheck",
			"Version":      testDebVersion,
			"Architecture": "amd64",
			"Maintainer":   "doorcheck maintainers <doorcheck@example.org>",
			"Depends":      "adduser",
			"Section":      "misc",
			"Priority":     "optional",
		} {
			if got := strings.TrimSpace(run(t, "dpkg-deb", "--field", deb, field)); got != want {
				t.Errorf("%s: %q, want %q", field, got, want)
			}
		}
		// The control archive's members, as dpkg-deb --info lists them:
		// "*" marks an executable maintainer script.
		info := run(t, "dpkg-deb", "--info", deb)
		members := map[string]bool{}
		for _, line := range strings.Split(info, "\n") {
			f := strings.Fields(line)
			if len(f) >= 5 && f[1] == "bytes," && f[3] == "lines" {
				members[strings.Join(f[4:], " ")] = true
			}
		}
		for _, m := range []string{"conffiles", "control", "md5sums", "* postinst #!/bin/sh", "* prerm #!/bin/sh"} {
			if !members[m] {
				t.Errorf("dpkg-deb --info has no control member %q; members: %v\n%s", m, members, info)
			}
		}

		ctl := t.TempDir()
		run(t, "dpkg-deb", "--control", deb, ctl)
		conffiles, err := os.ReadFile(filepath.Join(ctl, "conffiles"))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Fields(string(conffiles))
		sort.Strings(got)
		if want := []string{"/etc/doorcheck/kiosk.yaml.example", "/etc/systemd/journald.conf.d/doorcheck.conf"}; !slices.Equal(got, want) {
			t.Errorf("conffiles %q, want %q", got, want)
		}
		for _, s := range []string{"postinst", "prerm"} {
			checkSame(t, filepath.Join(ctl, s), s+".sh")
			checkMode(t, filepath.Join(ctl, s), 0o755)
		}
	})

	t.Run("contents", func(t *testing.T) {
		entries := contents(t, deb)
		want := map[string]debEntry{
			"/usr/bin/doorcheck":     {"-rwxr-xr-x", "root/root"},
			"/usr/bin/doorcheck-hub": {"-rwxr-xr-x", "root/root"},
			// Both belong to the doorcheck user once postinst has run.
			"/var/lib/doorcheck/": {"drwxr-x---", "root/root"},
			"/etc/doorcheck/":     {"drwxr-x---", "root/root"},
		}
		for dst := range expectedFiles(t) {
			want[dst] = debEntry{"-rw-r--r--", "root/root"}
		}
		for p := range want {
			for d := filepath.Dir(strings.TrimSuffix(p, "/")); d != "/"; d = filepath.Dir(d) {
				if _, ok := want[d+"/"]; !ok {
					want[d+"/"] = debEntry{"drwxr-xr-x", "root/root"}
				}
			}
		}
		for p, w := range want {
			g, ok := entries[p]
			switch {
			case !ok:
				t.Errorf("%s: not in the package", p)
			case g != w:
				t.Errorf("%s: %s %s, want %s %s", p, g.mode, g.owner, w.mode, w.owner)
			}
		}
		for p := range entries {
			if _, ok := want[p]; !ok {
				t.Errorf("%s: in the package, not expected", p)
			}
		}
	})

	t.Run("unpacked", func(t *testing.T) {
		root := t.TempDir()
		run(t, "dpkg", "-x", deb, root)
		for dst, src := range expectedFiles(t) {
			checkSame(t, filepath.Join(root, dst), filepath.Join("..", src))
			checkMode(t, filepath.Join(root, dst), 0o644)
		}
		checkMode(t, filepath.Join(root, "var/lib/doorcheck"), fs.ModeDir|0o750)
		checkMode(t, filepath.Join(root, "etc/doorcheck"), fs.ModeDir|0o750)
		repo, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{"doorcheck", "doorcheck-hub"} {
			path := filepath.Join(root, "usr/bin", b)
			checkMode(t, path, 0o755)
			checkStatic(t, path, repo)
			out, err := exec.Command(path, "--help").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "usage: "+b) {
				t.Errorf("%s --help: %v\n%s", b, err, out)
			}
		}
		cfg := filepath.Join(root, "etc/doorcheck/kiosk.yaml.example")
		out, err := exec.Command(filepath.Join(root, "usr/bin/doorcheck"), "config", "check", "--config", cfg).CombinedOutput()
		if err != nil || !strings.Contains(string(out), ": ok") {
			t.Errorf("doorcheck config check --config %s: %v\n%s", cfg, err, out)
		}
	})
}

// contents is dpkg-deb --contents as path → mode and owner, with paths
// absolute ("./usr/bin/x" → "/usr/bin/x"; directories keep their "/").
func contents(t *testing.T, deb string) map[string]debEntry {
	t.Helper()
	entries := map[string]debEntry{}
	for _, line := range strings.Split(strings.TrimSpace(run(t, "dpkg-deb", "--contents", deb)), "\n") {
		// drwxr-xr-x root/root 0 2026-09-21 12:00 ./etc/
		f := strings.Fields(line)
		if len(f) != 6 || !strings.HasPrefix(f[5], "./") {
			t.Fatalf("dpkg-deb --contents: unexpected line %q", line)
		}
		if f[5] == "./" {
			continue
		}
		entries[f[5][1:]] = debEntry{f[0], f[1]}
	}
	return entries
}

func checkSame(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Error(err)
		return
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Error(err)
		return
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s differs from %s", got, want)
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if st.Mode() != want {
		t.Errorf("%s: mode %v, want %v", path, st.Mode(), want)
	}
}

// checkStatic checks that path is an amd64 Linux executable with no
// dynamic loader and no shared libraries, built with CGO_ENABLED=0 and
// -trimpath (its build info says so, and the repository's path is nowhere
// in it).
func checkStatic(t *testing.T, path, repo string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("%s: %v %v, want an x86-64 Linux executable", path, f.Machine, f.OSABI)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s: has %v: not a static executable", path, p.Type)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil && !errors.Is(err, elf.ErrNoSymbols) || len(libs) > 0 {
		t.Errorf("%s: shared libraries %v (%v)", path, libs, err)
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	for k, v := range map[string]string{"-trimpath": "true", "CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "amd64"} {
		if settings[k] != v {
			t.Errorf("%s: build setting %s=%q, want %q", path, k, settings[k], v)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	if bytes.Contains(data, []byte(repo+string(filepath.Separator))) {
		t.Errorf("%s holds the build directory %s: not -trimpath", path, repo)
	}
}

// TestMaintainerScripts runs postinst and prerm as dpkg would on a first
// install, an upgrade, a reinstall and a removal, with and without a
// running systemd, against a scratch root (DPKG_ROOT) and with stand-ins
// for every command they call (PATH holds nothing else), which log their
// arguments: the user is created once, joined to dialout every time, the
// directories get their owner and mode, and services are restarted only on
// an upgrade, stopped only on removal, never enabled or started.
func TestMaintainerScripts(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	chmod, err := exec.LookPath("chmod")
	if err != nil {
		t.Skip("no chmod")
	}
	type world struct {
		root, state, log, bin string
	}
	newWorld := func(t *testing.T, systemd bool) world {
		w := world{root: t.TempDir(), state: t.TempDir(), bin: t.TempDir()}
		w.log = filepath.Join(w.state, "log")
		for _, d := range []string{"var/lib/doorcheck", "etc/doorcheck"} {
			if err := os.MkdirAll(filepath.Join(w.root, d), 0o700); err != nil {
				t.Fatal(err)
			}
		}
		if systemd {
			for _, d := range []string{"run/systemd/system", "run/udev"} {
				if err := os.MkdirAll(filepath.Join(w.root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Stand-ins: each logs "NAME ARGS"; getent answers from the state
		// directory, adduser --system adds the user there; FAIL=1 makes
		// systemctl and udevadm fail.
		fakes := map[string]string{
			"getent": `case "$1 $2" in
"passwd doorcheck") [ -e "$STATE/user" ] ;;
"group dialout") [ -e "$STATE/dialout" ] ;;
*) exit 2 ;;
esac`,
			"adduser":   `case "$1" in --system) : >"$STATE/user" ;; esac`,
			"chown":     `:`,
			"systemctl": `[ "${FAIL:-}" != 1 ]`,
			"udevadm":   `[ "${FAIL:-}" != 1 ]`,
		}
		for name, body := range fakes {
			script := fmt.Sprintf("#!%s\necho \"%s $*\" >>\"$STATE/log\"\n%s\n", sh, name, body)
			if err := os.WriteFile(filepath.Join(w.bin, name), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink(chmod, filepath.Join(w.bin, "chmod")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.state, "dialout"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return w
	}
	// script runs a maintainer script and returns the stand-ins' log lines
	// of this run.
	script := func(t *testing.T, w world, env []string, name string, args ...string) []string {
		t.Helper()
		os.Remove(w.log)
		cmd := exec.Command(sh, append([]string{name + ".sh"}, args...)...)
		cmd.Env = append([]string{"PATH=" + w.bin, "DPKG_ROOT=" + w.root, "STATE=" + w.state}, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		b, err := os.ReadFile(w.log)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" {
				lines = append(lines, strings.ReplaceAll(l, w.root, "$ROOT"))
			}
		}
		return lines
	}
	const (
		createUser  = "adduser --system --group --home /var/lib/doorcheck --no-create-home --shell /usr/sbin/nologin --gecos doorcheck kiosk doorcheck"
		joinDialout = "adduser doorcheck dialout"
		ownDirs     = "chown doorcheck:doorcheck $ROOT/var/lib/doorcheck $ROOT/etc/doorcheck"
		units       = "doorcheck.service doorcheck-headless.service doorcheck-hub.service"
	)
	has := func(lines []string, l string) bool { return slices.Contains(lines, l) }
	never := func(t *testing.T, lines []string) {
		t.Helper()
		for _, l := range lines {
			if strings.HasPrefix(l, "systemctl enable") || strings.HasPrefix(l, "systemctl start") {
				t.Errorf("%q: the package never enables or starts a service", l)
			}
		}
	}
	dirModes := func(t *testing.T, w world) {
		t.Helper()
		checkMode(t, filepath.Join(w.root, "var/lib/doorcheck"), fs.ModeDir|0o750)
		checkMode(t, filepath.Join(w.root, "etc/doorcheck"), fs.ModeDir|0o750)
	}

	t.Run("chroot without systemd: install, reinstall, remove", func(t *testing.T) {
		w := newWorld(t, false)
		first := script(t, w, nil, "postinst", "configure")
		if want := []string{"getent passwd doorcheck", createUser, "getent group dialout", joinDialout, ownDirs}; !slices.Equal(first, want) {
			t.Errorf("first install ran\n%s\nwant\n%s", strings.Join(first, "\n"), strings.Join(want, "\n"))
		}
		dirModes(t, w)
		again := script(t, w, nil, "postinst", "configure", testDebVersion)
		if has(again, createUser) || !has(again, joinDialout) || !has(again, ownDirs) {
			t.Errorf("reinstall ran\n%s\nwant the user kept, in dialout, owning its directories", strings.Join(again, "\n"))
		}
		for _, l := range append(first, again...) {
			if strings.HasPrefix(l, "systemctl") || strings.HasPrefix(l, "udevadm") {
				t.Errorf("%q with no running systemd or udev", l)
			}
		}
		if got := script(t, w, nil, "prerm", "remove"); len(got) > 0 {
			t.Errorf("prerm remove with no systemd ran %q", got)
		}
	})

	t.Run("systemd: first install reloads, starts nothing", func(t *testing.T) {
		w := newWorld(t, true)
		got := script(t, w, nil, "postinst", "configure")
		for _, l := range []string{createUser, joinDialout, ownDirs, "systemctl daemon-reload", "udevadm control --reload", "udevadm trigger --subsystem-match=tty"} {
			if !has(got, l) {
				t.Errorf("first install did not run %q; ran\n%s", l, strings.Join(got, "\n"))
			}
		}
		if has(got, "systemctl try-restart "+units) {
			t.Error("first install restarts services")
		}
		never(t, got)
		dirModes(t, w)
	})

	t.Run("systemd: upgrade restarts what runs; prerm upgrade stops nothing", func(t *testing.T) {
		w := newWorld(t, true)
		script(t, w, nil, "postinst", "configure")
		if got := script(t, w, nil, "prerm", "upgrade", "0.9.1"); len(got) > 0 {
			t.Errorf("prerm upgrade ran %q", got)
		}
		got := script(t, w, nil, "postinst", "configure", testDebVersion)
		if has(got, createUser) || !has(got, "systemctl try-restart "+units) || !has(got, "systemctl daemon-reload") {
			t.Errorf("upgrade ran\n%s", strings.Join(got, "\n"))
		}
		never(t, got)
		dirModes(t, w)
	})

	t.Run("systemd: remove stops the services", func(t *testing.T) {
		w := newWorld(t, true)
		if got := script(t, w, nil, "prerm", "remove"); !slices.Equal(got, []string{"systemctl stop " + units}) {
			t.Errorf("prerm remove ran %q", got)
		}
		// A failed stop (a unit never installed, systemd going down) does
		// not fail the removal.
		script(t, w, []string{"FAIL=1"}, "prerm", "remove")
	})

	t.Run("failing systemctl and udevadm, no dialout group", func(t *testing.T) {
		w := newWorld(t, true)
		if err := os.Remove(filepath.Join(w.state, "dialout")); err != nil {
			t.Fatal(err)
		}
		got := script(t, w, []string{"FAIL=1"}, "postinst", "configure", "0.8.0")
		if has(got, joinDialout) {
			t.Error("joined a dialout group that does not exist")
		}
		dirModes(t, w)
	})

	t.Run("other postinst calls do nothing", func(t *testing.T) {
		w := newWorld(t, true)
		if got := script(t, w, nil, "postinst", "triggered", "/lib/udev"); len(got) > 0 {
			t.Errorf("postinst triggered ran %q", got)
		}
	})
}
