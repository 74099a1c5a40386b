package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/doorcheck/doorcheck/sync/dcc"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// DSCFile holds the checked EU DCC document-signer trust list that the
// next import publishes (DATA/dcc/trust.json, canonical JSON). It is hub
// state kept in the data directory, beside the keys and snapshot files,
// with either storage backend: import reads it from the same directory.
func (d DataDir) DSCFile() string { return d.path("dcc", "trust.json") }

// DSCResult says what ImportDSC stored.
type DSCResult struct {
	Signers   int
	Countries int
	SHA256    string // of the canonical list, as the next index will name it
	Unchanged bool   // the same signers as the list already stored
}

// ImportDSC checks a trust list in the EU gateway shape strictly
// (dcc.CheckSigningCertificates: every certificate parses, has an ES256 or
// PS256 key and the kid of its DER) and stores its canonical form
// atomically as DATA/dcc/trust.json. Nothing is published yet: the next
// Import names the list in its signed index. A refused list leaves the
// stored one as it was.
func ImportDSC(ctx context.Context, d DataDir, in io.Reader) (*DSCResult, error) {
	data, err := io.ReadAll(io.LimitReader(in, dcc.MaxTrustListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read trust list: %w", err)
	}
	entries, err := dcc.CheckSigningCertificates(data)
	if err != nil {
		return nil, err
	}
	doc, err := dcc.EncodeSigningCertificates(entries)
	if err != nil {
		return nil, err
	}
	if len(doc) > protocol.MaxDCCTrustSize {
		return nil, fmt.Errorf("trust list is %d bytes in canonical form, at most %d", len(doc), protocol.MaxDCCTrustSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	countries := map[string]bool{}
	for _, e := range entries {
		countries[e.Country] = true
	}
	sum := sha256.Sum256(doc)
	res := &DSCResult{Signers: len(entries), Countries: len(countries), SHA256: hex.EncodeToString(sum[:])}
	if old, err := os.ReadFile(d.DSCFile()); err == nil && string(old) == string(doc) {
		res.Unchanged = true
		return res, nil
	}
	if err := os.MkdirAll(d.path("dcc"), 0o755); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(d.DSCFile(), doc, 0o644); err != nil {
		return nil, fmt.Errorf("store trust list: %w", err)
	}
	return res, nil
}

// stageDCCTrust decides the trust list a new version publishes: the stored
// DATA/dcc/trust.json, checked again (a hand-edited file is refused, and
// the import with it); the previous version's file when the list is the
// same (no copy, so kiosks see the same hash and fetch nothing); nothing
// new when no list was ever imported (the previous version's reference,
// possibly none, carries on). A new list is staged as
// protocol.DCCTrustName(version) and appended to staged.
func stageDCCTrust(scratch string, d DataDir, prev SnapshotVersion, version uint64, staged *[]stagedFile) (protocol.FileRef, error) {
	data, err := os.ReadFile(d.DSCFile())
	if errors.Is(err, os.ErrNotExist) {
		return prev.DCCTrust, nil
	}
	if err != nil {
		return protocol.FileRef{}, fmt.Errorf("dcc trust list: %w", err)
	}
	entries, err := dcc.CheckSigningCertificates(data)
	if err != nil {
		return protocol.FileRef{}, fmt.Errorf("dcc trust list %s (import-dsc it again): %w", d.DSCFile(), err)
	}
	doc, err := dcc.EncodeSigningCertificates(entries)
	if err != nil {
		return protocol.FileRef{}, err
	}
	sum := sha256.Sum256(doc)
	if prev.DCCTrust.Name != "" && prev.DCCTrust.SHA256 == hex.EncodeToString(sum[:]) {
		return prev.DCCTrust, nil
	}
	f, err := writeStaged(scratch, protocol.DCCTrustName(version), 0, version, uint64(len(entries)), func(w io.Writer) error {
		_, err := w.Write(doc)
		return err
	})
	if err != nil {
		return protocol.FileRef{}, err
	}
	*staged = append(*staged, f)
	return f.ref, nil
}
