package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/config"
)

// checkScanner checks the configured serial port the way it fails in the
// field: a by-id name that does not exist (unplugged, another model), a
// device the kiosk user may not open (not in dialout, no udev rule), a
// device that cannot be read, and ModemManager probing or holding a
// ttyACM scanner.
func checkScanner(cfg *config.Config, d doctorDeps) []checkResult {
	port := cfg.Scanner.Serial.Port
	if port == "" {
		r := checkResult{Name: "scanner", Status: statusOK, Detail: "no serial scanner configured; keyboard-wedge scans are on"}
		if !cfg.Scanner.Wedge.Enabled {
			r.Status, r.Detail = statusFail, "no serial scanner configured and keyboard-wedge scans are off: nothing can scan"
			r.Fix = "set scanner.serial.port (doorcheck scanner list shows the ports) or scanner.wedge.enabled: true"
		}
		return []checkResult{r}
	}
	fi, err := os.Stat(port)
	if err != nil {
		r := checkResult{Name: "scanner.port", Status: statusFail, Detail: fmt.Sprintf("%s: %v", port, err)}
		switch {
		case errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(port, "/dev/serial/by-id/"):
			r.Detail = port + " does not exist: the scanner is unplugged, or it is another model or serial number than this name"
			r.Fix = "plug the scanner in; doorcheck scanner list shows the by-id names of what is attached: put that one in scanner.serial.port"
		case errors.Is(err, fs.ErrNotExist):
			r.Detail = port + " does not exist"
			r.Fix = "plug the scanner in, or install configs/99-doorcheck-scanner.rules for a stable name; doorcheck scanner list shows the ports"
		default:
			r.Fix = "check the path in scanner.serial.port"
		}
		return []checkResult{r}
	}
	target, _ := filepath.EvalSymlinks(port)
	if target == "" {
		target = port
	}
	out := []checkResult{}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		out = append(out, checkResult{Name: "scanner.port", Status: statusFail,
			Detail: fmt.Sprintf("%s (%s) is not a character device", port, target),
			Fix:    "scanner.serial.port must name the scanner's tty, such as /dev/ttyACM0 or a /dev/serial/by-id/ link"})
		return out
	}
	out = append(out, checkResult{Name: "scanner.port", Status: statusOK, Detail: fmt.Sprintf("%s is %s", port, target)})
	out = append(out, checkAccess(port, target, fi, d.user))
	out = append(out, checkReadable(port))
	out = append(out, checkModemManager(port, target, fi, d)...)
	return out
}

// checkAccess says whether the kiosk user may open the port read-write
// by its mode and ownership (doctor may run as root, who always can).
func checkAccess(port, target string, fi fs.FileInfo, u doctorUser) checkResult {
	uid, gid, _, ok := ownerOf(fi)
	if !ok {
		return checkResult{Name: "scanner.access", Status: statusSkip, Detail: "cannot read the port's owner here"}
	}
	perm := fi.Mode().Perm()
	var can bool
	switch {
	case u.UID == 0:
		can = true
	case u.UID == uid:
		can = perm&0o600 == 0o600
	case slices.Contains(u.GIDs, gid):
		can = perm&0o060 == 0o060
	default:
		can = perm&0o006 == 0o006
	}
	desc := fmt.Sprintf("%s is %s owner %s group %s", target, fi.Mode(), userName(uid), groupName(gid))
	if can {
		return checkResult{Name: "scanner.access", Status: statusOK, Detail: desc + "; " + u.Name + " may read and write it"}
	}
	fix := fmt.Sprintf("sudo usermod -aG %s %s and start the kiosk again (the units add SupplementaryGroups=dialout); or install configs/99-doorcheck-scanner.rules (GROUP=\"dialout\", MODE=\"0660\") and run udevadm trigger", groupName(gid), u.Name)
	if perm&0o060 != 0o060 {
		fix = "install configs/99-doorcheck-scanner.rules (GROUP=\"dialout\", MODE=\"0660\"), then udevadm control --reload && udevadm trigger"
	}
	return checkResult{Name: "scanner.access", Status: statusFail, Detail: desc + "; " + u.Name + " may not open it", Fix: fix}
}

// checkReadable opens the port as the serial scanner does and reads
// once, briefly: no data yet is a working port; an I/O
// error is a device that has gone.
func checkReadable(port string) checkResult {
	f, err := os.OpenFile(port, os.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		r := checkResult{Name: "scanner.open", Status: statusFail, Detail: fmt.Sprintf("open %s: %v", port, errors.Unwrap(err))}
		switch {
		case errors.Is(err, syscall.EBUSY):
			r.Fix = "another program holds the port: the running kiosk (systemctl stop doorcheck to test it), or ModemManager (see scanner.modemmanager)"
		case errors.Is(err, fs.ErrPermission):
			r.Fix = "see scanner.access"
		default:
			r.Fix = "replug the scanner; dmesg | tail says what the kernel saw"
		}
		return r
	}
	defer f.Close()
	// The file is in the runtime's poller (O_NONBLOCK), so a deadline
	// bounds the read; a device the poller cannot take reads at once.
	f.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 64)
	_, err = f.Read(buf)
	switch {
	case err == nil, errors.Is(err, syscall.EAGAIN), errors.Is(err, os.ErrDeadlineExceeded):
		return checkResult{Name: "scanner.open", Status: statusOK, Detail: port + " opens and reads"}
	default:
		return checkResult{Name: "scanner.open", Status: statusFail, Detail: fmt.Sprintf("read %s: %v", port, errors.Unwrap(err)),
			Fix: "the device does not answer: replug the scanner or try another USB port; dmesg | tail says what the kernel saw"}
	}
}

// checkModemManager looks for ModemManager, which takes a ttyACM scanner
// for a modem: it writes AT commands to it and holds it for seconds after
// every plug-in, unless udev marks the device ID_MM_DEVICE_IGNORE.
func checkModemManager(port, target string, fi fs.FileInfo, d doctorDeps) []checkResult {
	base := filepath.Base(target)
	modemLike := func(name string) bool { return strings.HasPrefix(name, "ttyACM") || strings.HasPrefix(name, "ttyUSB") }
	if !modemLike(base) && !modemLike(filepath.Base(port)) {
		return nil
	}
	pids := processesNamed(d.procRoot, "ModemManager")
	if len(pids) == 0 {
		return []checkResult{{Name: "scanner.modemmanager", Status: statusOK, Detail: "ModemManager is not running"}}
	}
	for _, pid := range pids {
		if holds(d.procRoot, pid, target) {
			return []checkResult{{Name: "scanner.modemmanager", Status: statusFail,
				Detail: fmt.Sprintf("ModemManager (pid %s) holds %s", pid, target),
				Fix:    "install configs/99-doorcheck-scanner.rules (ENV{ID_MM_DEVICE_IGNORE}=\"1\"), udevadm trigger, replug; or systemctl disable --now ModemManager"}}
		}
	}
	if _, _, rdev, ok := ownerOf(fi); ok && udevIgnored(d.udevRoot, rdev) {
		return []checkResult{{Name: "scanner.modemmanager", Status: statusOK, Detail: "ModemManager runs but udev tells it to leave " + base + " alone"}}
	}
	return []checkResult{{Name: "scanner.modemmanager", Status: statusWarn,
		Detail: "ModemManager runs and " + base + " is not marked ID_MM_DEVICE_IGNORE: it will probe the scanner after every plug-in",
		Fix:    "install configs/99-doorcheck-scanner.rules, then udevadm control --reload && udevadm trigger; or systemctl disable --now ModemManager"}}
}

// processesNamed lists the pids whose comm is name.
func processesNamed(procRoot, name string) []string {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil
	}
	var pids []string
	for _, e := range entries {
		if e.Name() == "" || e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
		if err == nil && strings.TrimSpace(string(b)) == name {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// holds reports whether process pid has target open (needs root for
// another user's process; false when it cannot tell).
func holds(procRoot, pid, target string) bool {
	dir := filepath.Join(procRoot, pid, "fd")
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && l == target {
			return true
		}
	}
	return false
}

// udevIgnored reads udev's database entry of the character device.
func udevIgnored(udevRoot string, rdev uint64) bool {
	major, minor := (rdev>>8)&0xfff|(rdev>>32)&^0xfff, rdev&0xff|(rdev>>12)&^0xff
	b, err := os.ReadFile(filepath.Join(udevRoot, fmt.Sprintf("c%d:%d", major, minor)))
	return err == nil && strings.Contains(string(b), "E:ID_MM_DEVICE_IGNORE=1")
}
