package protocol

import (
	"fmt"
	"strconv"
	"strings"
)

// URL paths of the /v1 protocol. The static layout under a hub's
// DATA/public directory mirrors ManifestPath and FilesPath exactly, so a
// static server rooted there serves the same URLs.
const (
	Prefix       = "/v1"
	ManifestPath = Prefix + "/manifest"
	FullPath     = Prefix + "/full"
	DeltaPath    = Prefix + "/delta"
	FilesPath    = Prefix + "/files/"
	HealthPath   = Prefix + "/health"
	MetricsPath  = "/metrics"
	ReportPath   = Prefix + "/report" // operator token only
)

// VersionHeader carries the latest snapshot version on delta and full
// answers.
const VersionHeader = "Doorcheck-Version"

// KioskVersionHeader is sent by a kiosk with its current snapshot version
// (0 for none), so the fleet list shows what every kiosk has.
const KioskVersionHeader = "Doorcheck-Kiosk-Version"

// SnapshotContentType is the media type of snapshot files.
const SnapshotContentType = "application/vnd.doorcheck.snapshot"

const fileExt = ".dcsnap"

// FullName is the file name of the full snapshot of a version.
func FullName(version uint64) string { return fmt.Sprintf("full-%d%s", version, fileExt) }

// DeltaName is the file name of the delta from base to version.
func DeltaName(base, version uint64) string {
	return fmt.Sprintf("delta-%d-%d%s", base, version, fileExt)
}

// transferExt names the transfer form of a full snapshot (sync/transfer).
const transferExt = ".dcx"

// TransferName is the file name of the transfer form of a version's full
// snapshot.
func TransferName(version uint64) string { return fmt.Sprintf("full-%d%s", version, transferExt) }

// ParseTransferName tells which version a transfer file name is of; like
// ParseFileName it accepts only the one canonical spelling.
func ParseTransferName(name string) (version uint64, ok bool) {
	rest, found := strings.CutSuffix(name, transferExt)
	if !found {
		return 0, false
	}
	v, found := strings.CutPrefix(rest, "full-")
	if !found {
		return 0, false
	}
	return parseVersion(v)
}

// FileURL is the URL path of a snapshot file.
func FileURL(name string) string { return FilesPath + name }

// ParseFileName tells what a snapshot file name names. It accepts exactly
// the spellings FullName and DeltaName produce (no leading zeros, no signs),
// so one file has one name and a path cannot smuggle anything else.
func ParseFileName(name string) (base, version uint64, ok bool) {
	rest, found := strings.CutSuffix(name, fileExt)
	if !found {
		return 0, 0, false
	}
	if v, found := strings.CutPrefix(rest, "full-"); found {
		version, ok = parseVersion(v)
		return 0, version, ok
	}
	if d, found := strings.CutPrefix(rest, "delta-"); found {
		b, v, found := strings.Cut(d, "-")
		if !found {
			return 0, 0, false
		}
		base, okB := parseVersion(b)
		version, okV := parseVersion(v)
		if !okB || !okV || base >= version {
			return 0, 0, false
		}
		return base, version, true
	}
	return 0, 0, false
}

// parseVersion parses a canonical non-zero decimal version.
func parseVersion(s string) (uint64, bool) {
	if s == "" || s[0] == '0' || len(s) > 20 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}
