//go:build unix

package main

import (
	"io/fs"
	"syscall"
)

func statfs(path string) (diskSpace, error) {
	var s syscall.Statfs_t
	if err := syscall.Statfs(path, &s); err != nil {
		return diskSpace{}, err
	}
	return diskSpace{Free: uint64(s.Bavail) * uint64(s.Bsize), Total: uint64(s.Blocks) * uint64(s.Bsize)}, nil
}

// ownerOf returns a file's owner, group and device number.
func ownerOf(fi fs.FileInfo) (uid, gid int, rdev uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0, false
	}
	return int(st.Uid), int(st.Gid), uint64(st.Rdev), true
}
