package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/scanner/sanitize"
)

// doctor checks a kiosk's set-up and says, for each thing that is wrong,
// what to do about it. It is for IT staff at a kiosk that "does not work":
// one command names the broken part (config, scanner, snapshot, store,
// disk, hub, clock, terminal) and its fix, instead of a log to read. It
// changes nothing, and opens the store read-only.

// checkStatus is one check's outcome.
type checkStatus string

const (
	statusOK   checkStatus = "ok"
	statusWarn checkStatus = "warn" // works, but will not for long or not everywhere
	statusFail checkStatus = "fail" // broken: the kiosk cannot work as configured
	statusSkip checkStatus = "skip" // not applicable, or not checkable here
)

// checkResult is one line of the report.
type checkResult struct {
	Name   string      `json:"name"`
	Status checkStatus `json:"status"`
	Detail string      `json:"detail"`
	Fix    string      `json:"fix,omitempty"`
}

// doctorDeps is everything of the machine doctor looks at, so tests can
// break each part on purpose (a missing port, a nearly full disk, a hub
// with a skewed clock) without root or real hardware.
type doctorDeps struct {
	now      func() time.Time
	http     *http.Client
	statfs   func(path string) (diskSpace, error)
	procRoot string // /proc: ModemManager and who holds the port
	udevRoot string // /run/udev/data: ID_MM_DEVICE_IGNORE of the port
	rtcRoot  string // /sys/class/rtc
	timeSync func(ctx context.Context) (timeSync, error)
	user     doctorUser // whom the kiosk runs as: the access checks are for it
	terminal func() (terminalInfo, bool)
	scanIn   io.Reader // keyboard-wedge test scans
}

// doctorUser is the account the kiosk service runs as.
type doctorUser struct {
	Name string
	UID  int
	GIDs []int // primary and supplementary
}

func defaultDoctorDeps(e *env) doctorDeps {
	return doctorDeps{
		now:      time.Now,
		http:     &http.Client{Timeout: 10 * time.Second},
		statfs:   statfs,
		procRoot: "/proc",
		udevRoot: "/run/udev/data",
		rtcRoot:  "/sys/class/rtc",
		timeSync: systemTimeSync,
		user:     kioskUser(),
		terminal: func() (terminalInfo, bool) { return stdoutTerminal(e) },
		scanIn:   e.stdin,
	}
}

// kioskUser is the doorcheck system user the units run as when it
// exists (doctor is often run by root, who can open anything), otherwise
// the user running doctor. The kiosk units also grant the dialout group
// (SupplementaryGroups=dialout), so it counts for the doorcheck user.
func kioskUser() doctorUser {
	u, err := user.Lookup("doorcheck")
	unit := err == nil
	if !unit {
		u, err = user.Current()
	}
	if err != nil {
		return doctorUser{Name: strconv.Itoa(os.Getuid()), UID: os.Getuid(), GIDs: groupsOfProcess()}
	}
	du := doctorUser{Name: u.Username}
	du.UID, _ = strconv.Atoi(u.Uid)
	ids, _ := u.GroupIds()
	for _, g := range append([]string{u.Gid}, ids...) {
		if n, err := strconv.Atoi(g); err == nil {
			du.GIDs = append(du.GIDs, n)
		}
	}
	if unit {
		if g, err := user.LookupGroup("dialout"); err == nil {
			if n, err := strconv.Atoi(g.Gid); err == nil {
				du.GIDs = append(du.GIDs, n)
			}
		}
	}
	return du
}

func groupsOfProcess() []int {
	gs, _ := os.Getgroups()
	return append([]int{os.Getgid()}, gs...)
}

// runDoctor is `doorcheck doctor`.
func runDoctor(ctx context.Context, e *env, args []string) error {
	return doctorWith(ctx, e, args, defaultDoctorDeps(e))
}

func doctorWith(ctx context.Context, e *env, args []string, d doctorDeps) error {
	flags := newFlags(e, "doctor")
	path := flags.String("config", "", "kiosk config `file` (default "+defaultConfigPath+", or $DOORCHECK_CONFIG)")
	asJSON := flags.Bool("json", false, "one JSON object for fleet tooling: {ok, checks: [{name, status, detail, fix}]}")
	scan := flags.Bool("scan", false, "ask for a test scan and check one arrives")
	scanWait := flags.Duration("scan-timeout", 20*time.Second, "how long --scan waits for the test scan")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usagef("unexpected argument %q", flags.Arg(0))
	}
	file := *path
	if file == "" {
		file = e.getenv("DOORCHECK_CONFIG")
	}
	if file == "" {
		file = defaultConfigPath
	}
	var report []checkResult
	add := func(rs ...checkResult) {
		for _, r := range rs {
			report = append(report, r)
			if !*asJSON {
				printCheck(e.stdout, r)
			}
		}
	}
	cfg, r := checkConfig(file, e.getenv)
	add(r)
	if cfg != nil {
		add(checkScanner(cfg, d)...)
		if *scan {
			add(checkTestScan(ctx, e, cfg, d, *scanWait))
		}
		add(checkStore(cfg, d)...)
		add(checkDisk(cfg, d)...)
		add(checkHub(ctx, e, cfg, d)...)
	}
	add(checkTimeSync(ctx, d))
	add(checkTerminal(e, d))

	fails, warns := 0, 0
	for _, r := range report {
		switch r.Status {
		case statusFail:
			fails++
		case statusWarn:
			warns++
		}
	}
	if *asJSON {
		b, _ := json.Marshal(struct {
			OK     bool          `json:"ok"`
			Checks []checkResult `json:"checks"`
		}{fails == 0, report})
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else {
		fmt.Fprintf(e.stdout, "%d checks: %d failed, %d warnings\n", len(report), fails, warns)
	}
	if fails > 0 {
		return exitError{exitFailure}
	}
	return nil
}

// printCheck writes one line: status, check, what was found and, when
// something is wrong, the fix. Details quote paths and error text, so
// they go through the sanitizer.
func printCheck(w io.Writer, r checkResult) {
	line := fmt.Sprintf("%-4s %-16s %s", strings.ToUpper(string(r.Status)), r.Name, r.Detail)
	if r.Fix != "" {
		line += " — fix: " + r.Fix
	}
	fmt.Fprintln(w, sanitize.EscapeLimit(line, 2*maxErrorLine))
}

// checkConfig loads the file as the kiosk does; the other checks need it.
func checkConfig(file string, getenv func(string) string) (*config.Config, checkResult) {
	cfg, err := config.LoadEnv(file, getenv)
	if err == nil {
		return cfg, checkResult{Name: "config", Status: statusOK, Detail: file + " is valid"}
	}
	ps := config.Problems(err)
	var texts []string
	for _, p := range ps {
		texts = append(texts, p.Error())
	}
	r := checkResult{Name: "config", Status: statusFail,
		Detail: fmt.Sprintf("%s: %d problems: %s", file, len(ps), strings.Join(texts, "; ")),
		Fix:    "edit the file (doorcheck config check --config " + file + " lists each with its line), or provision the kiosk: doorcheck provision --scan"}
	if errors.Is(err, fs.ErrNotExist) {
		r.Detail = "no config at " + file
		r.Fix = "provision this kiosk: doorcheck provision --config " + file + " --scan (or --code CODE)"
	}
	return nil, r
}
