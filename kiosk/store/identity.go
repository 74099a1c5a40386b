package store

import (
	"errors"
	"fmt"
	"os"
)

// stillAtPath checks, after a visit's commit and before Record reports
// success, that the file bbolt wrote to is still the file at the store's
// path. A visit file deleted (or replaced) while the kiosk runs keeps
// taking commits into its unlinked inode, and every one of them is lost
// when the process exits; so a mismatch is ErrStoreGone, the visit counts
// as not recorded, and the visit file is refused from then on. One stat
// of the path, compared by device and inode with the file opened at Open:
// a few microseconds next to the commit's two fdatasyncs.
func (s *Store) stillAtPath() error {
	st, err := os.Stat(s.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		err = fmt.Errorf("%s %s: %w: it no longer exists", visitFileName, s.path, ErrStoreGone)
	case err != nil:
		err = fmt.Errorf("%s %s: %w: %v", visitFileName, s.path, ErrStoreGone, err)
	case !os.SameFile(st, s.logFile):
		err = fmt.Errorf("%s %s: %w: another file is at its path now", visitFileName, s.path, ErrStoreGone)
	default:
		return nil
	}
	s.logBroken.set(err)
	return err
}
