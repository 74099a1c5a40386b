package kiosk

import "github.com/doorcheck/doorcheck/sync/wire"

// trustCache keeps the trust list and subject hasher of the current
// snapshot, rebuilt only when the snapshot version changes, so a check is
// one map lookup for the issuer and never a scan of every key.
type trustCache struct {
	version uint64
	issuers wire.TrustList
	hasher  wire.SubjectHasher
}

func (t *trustCache) get(m *wire.Manifest) *trustCache {
	if t.issuers == nil || t.version != m.Version {
		t.version = m.Version
		t.issuers = m.TrustList()
		t.hasher = m.Hasher()
	}
	return t
}
