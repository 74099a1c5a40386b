package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// indexCache holds the signed index as import last wrote it. The file is
// stat'ed on each use and re-read only when it changed (another process,
// import, replaces it by rename), so serve never needs control.db to
// answer a manifest poll.
type indexCache struct {
	path   string
	hubKey []byte

	mu    sync.Mutex
	stamp fileStamp
	cur   *loadedIndex
}

// loadedIndex is one verified version of the index file.
type loadedIndex struct {
	doc     []byte
	etag    string
	modTime time.Time
	index   *protocol.Index
	byName  map[string]protocol.FileRef
}

type fileStamp struct {
	ino, size int64
	mtime     time.Time
}

func stampOf(info os.FileInfo) fileStamp {
	s := fileStamp{size: info.Size(), mtime: info.ModTime()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.ino = int64(st.Ino)
	}
	return s
}

// errNoIndex means nothing has been published yet.
var errNoIndex = errors.New("no snapshot published yet")

// get returns the current index, or errNoIndex.
func (c *indexCache) get() (*loadedIndex, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	info, err := os.Stat(c.path)
	if errors.Is(err, os.ErrNotExist) {
		c.cur, c.stamp = nil, fileStamp{}
		return nil, errNoIndex
	}
	if err != nil {
		return nil, err
	}
	if c.cur != nil && stampOf(info) == c.stamp {
		return c.cur, nil
	}
	f, err := os.Open(c.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Stat the file that is open, so the stamp and the bytes match even
	// if import renames a new index into place meanwhile.
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	doc, err := io.ReadAll(io.LimitReader(f, protocol.MaxIndexSize+1))
	if err != nil {
		return nil, err
	}
	x, err := protocol.VerifyIndex(doc, c.hubKey)
	if err != nil {
		return nil, fmt.Errorf("snapshot index %s: %w", c.path, err)
	}
	sum := sha256.Sum256(doc)
	li := &loadedIndex{
		doc:     doc,
		etag:    `"` + hex.EncodeToString(sum[:16]) + `"`,
		modTime: info.ModTime(),
		index:   x,
		byName:  map[string]protocol.FileRef{x.Full.Name: x.Full},
	}
	for _, d := range x.Deltas {
		li.byName[d.Name] = d
	}
	if x.Transfer != nil {
		li.byName[x.Transfer.Name] = *x.Transfer
	}
	if x.DCCTrust != nil {
		li.byName[x.DCCTrust.Name] = *x.DCCTrust
	}
	c.cur, c.stamp = li, stampOf(info)
	return li, nil
}

// EnsureIndex rewrites the index file from storage when it is missing,
// unreadable or behind the latest published version: the repair after an
// import that crashed between publishing and writing the index. An index
// that is current is left alone, so its ETag survives a restart.
func EnsureIndex(ctx context.Context, a Artifacts, st Storage, keys Keys, cfg Config, now time.Time) error {
	latest, err := st.LatestSnapshot(ctx)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(a.ManifestFile())
	if err == nil {
		if x, err := protocol.VerifyIndex(doc, keys.HubPublic()); err == nil && x.Version == latest.Version {
			return nil
		}
	}
	_, err = WriteIndex(ctx, a, st, keys, cfg, now)
	return err
}
