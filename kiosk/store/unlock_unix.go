//go:build unix

package store

import (
	"os"
	"syscall"
)

// unlockFile releases bbolt's flock on f. Closing f alone does not: the
// memory map bbolt made of the file holds the open file, and with it the
// lock, until it is unmapped.
func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
