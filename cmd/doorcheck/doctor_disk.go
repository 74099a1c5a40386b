package main

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/doorcheck/doorcheck/kiosk/config"
	"github.com/doorcheck/doorcheck/kiosk/store"
)

// diskSpace is a file system's size and the bytes an unprivileged user
// may still write.
type diskSpace struct {
	Free, Total uint64
}

// Disk thresholds. A visit is fsynced before its verdict shows, so a full
// disk stops the kiosk deciding (cannot_record); a full snapshot import
// writes a new generation beside the current one in the snapshot file.
const (
	minFreeBytes = 64 << 20 // below: a day of visits and a delta may not fit
	// map32Limit is bbolt's largest mapping on a 32-bit board (2 GB);
	// warn well before a file gets there.
	map32Warn = 1 << 30
)

// checkDisk reports the store's file system: free space, the store files'
// share of it, and on a 32-bit board their distance from bbolt's 2 GB
// mapping limit.
func checkDisk(cfg *config.Config, d doctorDeps) []checkResult {
	dir := filepath.Dir(cfg.Store.Path)
	sp, err := d.statfs(dir)
	if err != nil {
		return []checkResult{{Name: "disk", Status: statusSkip, Detail: fmt.Sprintf("statfs %s: %v", dir, err)}}
	}
	snapPath := cfg.Store.SnapshotPath
	if snapPath == "" {
		snapPath = store.SnapshotPathFor(cfg.Store.Path)
	}
	logSize, snapSize := storeFileSize(cfg.Store.Path), storeFileSize(snapPath)
	detail := fmt.Sprintf("%s free of %s on %s; visit log %s, snapshot file %s (%.1f%% of the file system)",
		bytesText(sp.Free), bytesText(sp.Total), dir, bytesText(uint64(logSize)), bytesText(uint64(snapSize)),
		percent(uint64(logSize+snapSize), sp.Total))
	r := checkResult{Name: "disk", Status: statusOK, Detail: detail}
	switch {
	case sp.Free < minFreeBytes:
		r.Status = statusFail
		r.Fix = "free space on " + dir + " (journalctl --vacuum-size=50M, apt-get clean); with a full disk no visit can be recorded and the kiosk decides nothing"
	case sp.Free < uint64(snapSize):
		r.Status = statusWarn
		r.Fix = "the next full snapshot may not fit (it needs about the snapshot file's size free): free space on " + dir + " or use a larger SD card"
	case sp.Total > 0 && sp.Free < sp.Total/10:
		r.Status = statusWarn
		r.Fix = "under 10% free on " + dir + ": free space, or lower policy.retention so old uploaded visits are pruned sooner"
	}
	out := []checkResult{r}
	if strconv.IntSize == 32 {
		m := checkResult{Name: "disk.32bit", Status: statusOK,
			Detail: fmt.Sprintf("32-bit board: bbolt maps at most 2 GB per file; the largest store file is %s", bytesText(uint64(max(logSize, snapSize))))}
		if max(logSize, snapSize) > map32Warn {
			m.Status = statusWarn
			m.Fix = "over 1 GB: set policy.retention (for example 720h) so uploaded visits are pruned; a snapshot this large needs a 64-bit board (docs/appliance.md)"
		}
		out = append(out, m)
	}
	return out
}

// bytesText writes a byte count for people: 512 B, 3.2 MB, 1.5 GB.
func bytesText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func percent(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}
