//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/doorcheck/doorcheck/kiosk/store"
)

// TestDoctorNearlyFullTmpfs: the store on a real 48 MB tmpfs (room for
// its 16 MB snapshot file) filled to within a few hundred kB: doctor reports the free space with a fix and
// exits non-zero, through the real statfs. Mounting needs root (CI runs
// as root on this machine kind); the test skips only when the mount is
// refused with EPERM.
func TestDoctorNearlyFullTmpfs(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=48m,mode=0755"); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("mount -t tmpfs refused (%v): this test needs root (CAP_SYS_ADMIN) to mount a small tmpfs", err)
		}
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	k := newDoctorKiosk(t)
	// The provisioned kiosk's store moves onto the small file system.
	for _, name := range []string{filepath.Base(k.db), filepath.Base(store.SnapshotPathFor(k.db))} {
		b, err := os.ReadFile(filepath.Join(k.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mnt, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k.db = filepath.Join(mnt, filepath.Base(k.db))
	k.yaml["store"] = "store: {path: " + k.db + "}"
	k.write(t)
	k.deps.statfs = statfs
	// Fill it to near full.
	var sp diskSpace
	fill, err := os.Create(filepath.Join(mnt, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 256<<10)
	for {
		if sp, err = statfs(mnt); err != nil {
			t.Fatal(err)
		}
		if sp.Free < 512<<10 {
			break
		}
		if _, err := fill.Write(chunk); err != nil {
			break // full
		}
	}
	fill.Close()
	if sp, err = statfs(mnt); err != nil || sp.Total > 49<<20 || sp.Free >= minFreeBytes {
		t.Fatalf("tmpfs: %+v, %v", sp, err)
	}
	checks, code, out := k.doctor(t)
	if code != exitFailure {
		t.Errorf("exit %d, want %d:\n%s", code, exitFailure, out)
	}
	want(t, checks, "disk", statusFail, "free of 48.0 MB on "+mnt, "free space on "+mnt)
	if c := checks["disk"]; !strings.Contains(c.Fix, "journalctl --vacuum-size") {
		t.Errorf("disk fix %q", c.Fix)
	}
}
