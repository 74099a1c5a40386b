package main

import "syscall"

// staUnsync is the kernel's STA_UNSYNC status bit: no time source is
// disciplining the clock.
const staUnsync = 0x0040

// kernelTimeSync reads the kernel's NTP state (adjtimex with no modes
// changes nothing).
func kernelTimeSync() (timeSync, error) {
	var tx syscall.Timex
	if _, err := syscall.Adjtimex(&tx); err != nil {
		return timeSync{}, err
	}
	return timeSync{Synchronised: tx.Status&staUnsync == 0, Source: "adjtimex"}, nil
}
