//go:build !unix

package store

import "os"

// unlockFile is a no-op where bbolt does not lock with flock: closing the
// file is all there is.
func unlockFile(*os.File) error { return nil }
