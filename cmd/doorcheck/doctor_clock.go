package main

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// timeSync is what the board says about its clock.
type timeSync struct {
	Synchronised bool   // NTP (or another source) disciplines the clock
	Source       string // timedatectl or adjtimex
}

// systemTimeSync asks timedatectl, and failing that (no systemd, a
// container) the kernel through adjtimex. Neither is an error for the
// kiosk: the result is only advice.
func systemTimeSync(ctx context.Context) (timeSync, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "timedatectl", "show", "--property=NTPSynchronized", "--value").Output()
	if err == nil {
		switch strings.TrimSpace(string(out)) {
		case "yes":
			return timeSync{Synchronised: true, Source: "timedatectl"}, nil
		case "no":
			return timeSync{Synchronised: false, Source: "timedatectl"}, nil
		}
	}
	return kernelTimeSync()
}

// checkTimeSync reports whether NTP keeps the clock right and whether the
// board has a real-time clock to keep it across power cuts. A board with
// neither (a Raspberry Pi without an RTC hat, offline) starts in the past
// after every power cut, and the kiosk refuses to decide (untrustworthy
// clock) until the hub's time arrives.
func checkTimeSync(ctx context.Context, d doctorDeps) checkResult {
	rtc := hasRTC(d.rtcRoot)
	rtcText := "no real-time clock"
	if rtc {
		rtcText = "a real-time clock"
	}
	ts, err := d.timeSync(ctx)
	if err != nil {
		return checkResult{Name: "clock.sync", Status: statusSkip, Detail: "cannot tell whether the clock is synchronised here (" + err.Error() + "); the board has " + rtcText}
	}
	switch {
	case ts.Synchronised:
		return checkResult{Name: "clock.sync", Status: statusOK, Detail: "the clock is synchronised (" + ts.Source + "); the board has " + rtcText}
	case rtc:
		return checkResult{Name: "clock.sync", Status: statusWarn, Detail: "the clock is not synchronised (" + ts.Source + "), but the board has a real-time clock",
			Fix: "timedatectl set-ntp true (systemd-timesyncd), and let it reach an NTP server"}
	}
	return checkResult{Name: "clock.sync", Status: statusWarn, Detail: "the clock is not synchronised (" + ts.Source + ") and the board has no real-time clock: after a power cut it starts in the past",
		Fix: "timedatectl set-ntp true and allow NTP (udp 123) out; on a Raspberry Pi fit an RTC module; the kiosk stays NOT VERIFIED until it trusts its clock"}
}

func hasRTC(root string) bool {
	m, _ := filepath.Glob(filepath.Join(root, "rtc*"))
	return len(m) > 0
}

var errNoKernelTime = errors.New("adjtimex is not available")
