package wire

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// FormatVersion is the snapshot format this package reads and writes.
const FormatVersion = 1

// Kind says whether a snapshot file carries every entry or only changes.
type Kind string

const (
	KindFull  Kind = "full"
	KindDelta Kind = "delta"
)

// Manifest describes one snapshot version. It is signed by the hub; nothing
// in a snapshot file is trusted before the signature over the manifest and
// the content hash over the body have both been checked.
//
// A delta's manifest is complete too (trust list, subject-hash key…): only
// the entries are given as changes from BaseVersion.
type Manifest struct {
	Format      int       `json:"format"`
	Kind        Kind      `json:"kind"`
	Version     uint64    `json:"version"`
	BaseVersion uint64    `json:"base_version,omitempty"` // delta only: the version it applies to
	CreatedAt   time.Time `json:"created_at"`
	// Records is the number of records in the body: entries for a full
	// snapshot, changes for a delta.
	Records uint64 `json:"records"`
	// ResultEntries is the number of entries after the snapshot is applied.
	// For a full snapshot it equals Records; for a delta the kiosk checks
	// the count it ends with against it.
	ResultEntries uint64 `json:"result_entries"`
	// ContentSHA256 is the hex SHA-256 of the body bytes.
	ContentSHA256 string `json:"content_sha256"`
	// HubKeyID names the key that signed this manifest.
	HubKeyID KeyID `json:"hub_key_id"`
	// SubjectHashKey is the deployment key for HMAC subject keys. See
	// docs/security.md for what keeping it beside the data protects.
	SubjectHashKey []byte `json:"subject_hash_key"`
	// Issuers is the trust list of pass issuers.
	Issuers []Issuer `json:"issuers"`
	// Deployment names the deployment ("demo" for the embedded demo data).
	Deployment string `json:"deployment,omitempty"`
}

// Issuer is one trusted pass issuer.
type Issuer struct {
	ID        KeyID             `json:"id"`
	Name      string            `json:"name"`
	PublicKey ed25519.PublicKey `json:"public_key"`
}

// maxIssuers bounds the trust list, so a manifest cannot make the kiosk
// allocate without limit.
const maxIssuers = 1024

// Validate checks the manifest's own consistency (not its signature).
func (m *Manifest) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.Format != FormatVersion {
		bad("format %d: this kiosk reads format %d", m.Format, FormatVersion)
	}
	switch m.Kind {
	case KindFull:
		if m.BaseVersion != 0 {
			bad("full snapshot with base_version %d", m.BaseVersion)
		}
		if m.ResultEntries != m.Records {
			bad("full snapshot: result_entries %d != records %d", m.ResultEntries, m.Records)
		}
	case KindDelta:
		if m.BaseVersion == 0 || m.BaseVersion >= m.Version {
			bad("delta from version %d to %d: base must be older and non-zero", m.BaseVersion, m.Version)
		}
	default:
		bad("kind %q: want full or delta", m.Kind)
	}
	if m.Version == 0 {
		bad("version 0 is reserved for \"no snapshot\"")
	}
	if m.CreatedAt.IsZero() {
		bad("created_at is missing")
	}
	if b, err := hex.DecodeString(m.ContentSHA256); err != nil || len(b) != 32 {
		bad("content_sha256 %q is not 32 hex bytes", m.ContentSHA256)
	}
	if len(m.SubjectHashKey) < 16 {
		bad("subject_hash_key is %d bytes, want at least 16", len(m.SubjectHashKey))
	}
	if len(m.Issuers) > maxIssuers {
		bad("%d issuers, at most %d", len(m.Issuers), maxIssuers)
	}
	seen := make(map[KeyID]bool, len(m.Issuers))
	for _, is := range m.Issuers {
		if len(is.PublicKey) != ed25519.PublicKeySize {
			bad("issuer %s: public key is %d bytes", is.ID, len(is.PublicKey))
			continue
		}
		if KeyIDOf(is.PublicKey) != is.ID {
			bad("issuer %s: id does not match its public key", is.ID)
		}
		if seen[is.ID] {
			bad("issuer id %s listed twice", is.ID)
		}
		seen[is.ID] = true
	}
	return errors.Join(errs...)
}

// TrustList returns the issuers indexed by key id, so a pass's issuer is
// found with one lookup.
func (m *Manifest) TrustList() TrustList {
	t := make(TrustList, len(m.Issuers))
	for _, is := range m.Issuers {
		t[is.ID] = is.PublicKey
	}
	return t
}

// TrustList maps issuer key ids to public keys.
type TrustList map[KeyID]ed25519.PublicKey

// Issuer returns the public key with the given id.
func (t TrustList) Issuer(id KeyID) (ed25519.PublicKey, bool) {
	k, ok := t[id]
	return k, ok
}

// Hasher returns the subject hasher for this manifest's deployment key.
func (m *Manifest) Hasher() SubjectHasher { return NewSubjectHasher(m.SubjectHashKey) }
