package protocol

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// MaxDCCTrustSize bounds the DCC trust list file an index may name; it is
// sync/dcc's MaxTrustListBytes (the EU gateway's whole list is about
// 3 MB).
const MaxDCCTrustSize = 16 << 20

// DCCTrustContentType is the media type of a DCC trust list file.
const DCCTrustContentType = "application/json"

const dccTrustExt = ".json"

// DCCTrustName is the file name of the DCC trust list first published with
// a version. A list that does not change is not copied: later versions
// name the same file.
func DCCTrustName(version uint64) string { return fmt.Sprintf("dcc-trust-%d%s", version, dccTrustExt) }

// ParseDCCTrustName tells which version a DCC trust list file name is of;
// like ParseFileName it accepts only the one canonical spelling.
func ParseDCCTrustName(name string) (version uint64, ok bool) {
	rest, found := strings.CutSuffix(name, dccTrustExt)
	if !found {
		return 0, false
	}
	v, found := strings.CutPrefix(rest, "dcc-trust-")
	if !found {
		return 0, false
	}
	return parseVersion(v)
}

// validateDCCTrust checks an index's DCC trust list reference: a file
// first published at or below the index's version, of bounded size, named
// canonically, with a whole-file SHA-256 (the index's signature covers it,
// so the file itself needs none).
func (f FileRef) validateDCCTrust(indexVersion uint64) error {
	if f.BaseVersion != 0 || f.Version == 0 || f.Version > indexVersion || f.Name != DCCTrustName(f.Version) {
		return fmt.Errorf("file %q does not match version %d (index version %d)", f.Name, f.Version, indexVersion)
	}
	if f.Size <= 0 || f.Size > MaxDCCTrustSize {
		return fmt.Errorf("file %s: size %d, want 1..%d", f.Name, f.Size, MaxDCCTrustSize)
	}
	if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != 32 {
		return fmt.Errorf("file %s: sha256 %q is not 32 hex bytes", f.Name, f.SHA256)
	}
	return nil
}
