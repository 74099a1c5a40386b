package protocol

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// IndexFormat is the index format this package reads and writes.
const IndexFormat = 1

// MaxChain is the most delta steps an index lists.
const MaxChain = 32

// MaxIndexSize bounds a manifest document, so a client reading one from an
// untrusted relay never allocates without limit.
const MaxIndexSize = 64 << 10

// indexDomain separates index signatures from every other use of the hub
// key, in particular from snapshot manifest signatures.
const indexDomain = "doorcheck snapshot index v1\x00"

// ErrBadIndexSignature means the index does not verify against the pinned
// hub key.
var ErrBadIndexSignature = errors.New("snapshot index signature does not verify against the pinned hub key")

// Index is the content of /v1/manifest: the latest version, its full file
// and the delta chain that ends at it.
type Index struct {
	Format      int        `json:"format"`
	Deployment  string     `json:"deployment,omitempty"`
	HubKeyID    wire.KeyID `json:"hub_key_id"`
	PublishedAt time.Time  `json:"published_at"`
	Version     uint64     `json:"version"`
	Full        FileRef    `json:"full"`
	// Deltas is the chain ending at Version, newest first: Deltas[0]
	// leads to Version, and Deltas[i+1].Version == Deltas[i].BaseVersion.
	Deltas []FileRef `json:"deltas"`
	// Transfer, when present, is the compact transfer form of Full
	// (sync/transfer): decoding it must give bytes whose SHA-256 is
	// Full.SHA256.
	Transfer *FileRef `json:"transfer,omitempty"`
	// DCCTrust, when present, is the EU DCC document-signer trust list
	// (doorcheck-hub import-dsc): a JSON file whose size and SHA-256 the
	// kiosk checks before installing it. An index with it is refused by
	// kiosks older than the field (unknown fields are refused).
	DCCTrust *FileRef `json:"dcc_trust,omitempty"`
}

// FileRef names one immutable snapshot file.
type FileRef struct {
	BaseVersion uint64 `json:"base_version,omitempty"` // delta only
	Version     uint64 `json:"version"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	// SHA256 is the hex SHA-256 of the whole file, so a download can be
	// checked before it is opened.
	SHA256  string `json:"sha256"`
	Records uint64 `json:"records"`
}

// Validate checks the index's own consistency (not its signature).
func (x *Index) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if x.Format != IndexFormat {
		bad("index format %d: this side reads format %d", x.Format, IndexFormat)
	}
	if x.Version == 0 {
		bad("index version 0")
	}
	if x.PublishedAt.IsZero() {
		bad("published_at is missing")
	}
	if err := x.Full.validate(0, x.Version); err != nil {
		bad("full: %v", err)
	}
	if t := x.Transfer; t != nil {
		if t.Version != x.Version || t.BaseVersion != 0 || t.Name != TransferName(x.Version) || t.Size <= 0 || len(t.SHA256) != 64 {
			bad("transfer: file %q does not match version %d", t.Name, x.Version)
		}
	}
	if t := x.DCCTrust; t != nil {
		if err := t.validateDCCTrust(x.Version); err != nil {
			bad("dcc_trust: %v", err)
		}
	}
	if len(x.Deltas) > MaxChain {
		bad("%d delta steps, at most %d", len(x.Deltas), MaxChain)
	}
	want := x.Version
	for i, d := range x.Deltas {
		if d.Version != want {
			bad("delta %d leads to version %d, want %d (chain broken)", i, d.Version, want)
			break
		}
		if err := d.validate(d.BaseVersion, d.Version); err != nil {
			bad("delta %d: %v", i, err)
			break
		}
		want = d.BaseVersion
	}
	return errors.Join(errs...)
}

func (f FileRef) validate(base, version uint64) error {
	var wantName string
	if base == 0 {
		wantName = FullName(version)
	} else {
		if base >= version {
			return fmt.Errorf("base %d not below version %d", base, version)
		}
		wantName = DeltaName(base, version)
	}
	if f.Version != version || f.BaseVersion != base || f.Name != wantName {
		return fmt.Errorf("file %q does not match version %d (base %d)", f.Name, version, base)
	}
	if f.Size <= 0 {
		return fmt.Errorf("file %s: size %d", f.Name, f.Size)
	}
	if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != 32 {
		return fmt.Errorf("file %s: sha256 %q is not 32 hex bytes", f.Name, f.SHA256)
	}
	return nil
}

// Document is the signed form served at /v1/manifest. Index holds the exact
// bytes that were signed; never re-encode them before verifying.
type Document struct {
	Index     json.RawMessage `json:"index"`
	Signature []byte          `json:"signature"`
}

// SignIndex validates x, signs it with the hub key and returns the
// document's bytes. It sets Format and HubKeyID.
func SignIndex(x Index, key ed25519.PrivateKey) ([]byte, error) {
	x.Format = IndexFormat
	x.HubKeyID = wire.KeyIDOf(key.Public().(ed25519.PublicKey))
	if x.Deltas == nil {
		x.Deltas = []FileRef{}
	}
	if err := x.Validate(); err != nil {
		return nil, fmt.Errorf("sign index: %w", err)
	}
	body, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("sign index: %w", err)
	}
	doc, err := json.Marshal(Document{Index: body, Signature: ed25519.Sign(key, signedIndex(body))})
	if err != nil {
		return nil, fmt.Errorf("sign index: %w", err)
	}
	return append(doc, '\n'), nil
}

// VerifyIndex decodes a manifest document, checks its signature with the
// pinned hub key, and validates the index.
func VerifyIndex(doc []byte, hubKey ed25519.PublicKey) (*Index, error) {
	if len(doc) > MaxIndexSize {
		return nil, fmt.Errorf("snapshot index is %d bytes, at most %d", len(doc), MaxIndexSize)
	}
	if len(hubKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("verify index: pinned hub key is %d bytes", len(hubKey))
	}
	var d Document
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("decode snapshot index: %w", err)
	}
	if len(d.Signature) != ed25519.SignatureSize || !ed25519.Verify(hubKey, signedIndex(d.Index), d.Signature) {
		return nil, ErrBadIndexSignature
	}
	dec := json.NewDecoder(bytes.NewReader(d.Index))
	dec.DisallowUnknownFields()
	var x Index
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("decode snapshot index: %w", err)
	}
	if err := x.Validate(); err != nil {
		return nil, fmt.Errorf("invalid snapshot index: %w", err)
	}
	if x.HubKeyID != wire.KeyIDOf(hubKey) {
		return nil, fmt.Errorf("index names hub key %s, pinned key is %s", x.HubKeyID, wire.KeyIDOf(hubKey))
	}
	return &x, nil
}

func signedIndex(body []byte) []byte {
	return append([]byte(indexDomain), body...)
}

// PlanKind says what a kiosk at some version should download.
type PlanKind int

const (
	PlanCurrent PlanKind = iota // already at the latest version
	PlanDeltas                  // apply Files, oldest first
	PlanFull                    // take Files[0], the full snapshot
	PlanAhead                   // the kiosk is above the index: apply nothing, report
)

func (k PlanKind) String() string {
	switch k {
	case PlanCurrent:
		return "current"
	case PlanDeltas:
		return "deltas"
	case PlanFull:
		return "full"
	case PlanAhead:
		return "ahead"
	}
	return fmt.Sprintf("plan(%d)", int(k))
}

// Plan is what a kiosk at one version downloads to reach the index's.
type Plan struct {
	Kind  PlanKind
	Files []FileRef // deltas oldest first, or the one full file
}

// PlanFrom returns the download plan for a kiosk at version current (0: no
// snapshot). Hub and kiosk use this one function, so the hub's
// /v1/delta answer and a kiosk reading a static index always agree.
func (x *Index) PlanFrom(current uint64) Plan {
	switch {
	case current == x.Version:
		return Plan{Kind: PlanCurrent}
	case current > x.Version:
		return Plan{Kind: PlanAhead}
	}
	for i, d := range x.Deltas {
		if d.BaseVersion == current {
			steps := make([]FileRef, 0, i+1)
			for j := i; j >= 0; j-- {
				steps = append(steps, x.Deltas[j])
			}
			return Plan{Kind: PlanDeltas, Files: steps}
		}
	}
	return Plan{Kind: PlanFull, Files: []FileRef{x.Full}}
}
