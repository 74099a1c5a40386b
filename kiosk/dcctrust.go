package kiosk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/doorcheck/doorcheck/sync/dcc"
)

// DCCTrustSource says where the trust list a DCC is verified against came
// from.
type DCCTrustSource int

const (
	// DCCTrustLocal: the list pinned by `doorcheck dcc trust import`
	// (dcc.trust_file), trusted as the config that names it is.
	DCCTrustLocal DCCTrustSource = iota
	// DCCTrustHub: the list the hub published in its signed snapshot
	// index, as the sync client last installed it.
	DCCTrustHub
)

func (s DCCTrustSource) String() string {
	if s == DCCTrustHub {
		return "hub"
	}
	return "local"
}

// DCCTrust is the trust list a kiosk verifies DCCs against. Precedence:
// once the hub's list is installed it replaces the local one entirely (a
// kiosk that syncs with a hub trusts exactly the signers its hub
// publishes, so a signer the hub withdraws stops counting at once); until
// then, and on a kiosk without a hub, the local list counts. Safe for
// concurrent use: the sync client installs while the checker reads.
type DCCTrust struct {
	hubPath string
	local   *dcc.TrustList
	hub     atomic.Pointer[hubTrust]
}

type hubTrust struct {
	list   *dcc.TrustList
	sha256 string // hex SHA-256 of the installed file, as the index names it
}

// OpenDCCTrust reads the hub's installed list at hubPath, if there is one,
// beside the local list (nil: none). An installed file that does not read
// is an error: the kiosk does not start on a list it cannot read.
func OpenDCCTrust(hubPath string, local *dcc.TrustList) (*DCCTrust, error) {
	if local == nil {
		local = dcc.NewTrustList()
	}
	t := &DCCTrust{hubPath: hubPath, local: local}
	data, err := os.ReadFile(hubPath)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub dcc trust list: %w", err)
	}
	h, err := parseHubTrust(data)
	if err != nil {
		return nil, fmt.Errorf("hub dcc trust list %s: %w", hubPath, err)
	}
	t.hub.Store(h)
	return t, nil
}

func parseHubTrust(data []byte) (*hubTrust, error) {
	list, err := dcc.ReadTrustList(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if list.Len() == 0 {
		return nil, errors.New("no signing certificate")
	}
	sum := sha256.Sum256(data)
	return &hubTrust{list: list, sha256: hex.EncodeToString(sum[:])}, nil
}

// List is the trust list to verify against now.
func (t *DCCTrust) List() *dcc.TrustList {
	list, _ := t.Current()
	return list
}

// Current is the list to verify against now and where it came from.
func (t *DCCTrust) Current() (*dcc.TrustList, DCCTrustSource) {
	if h := t.hub.Load(); h != nil {
		return h.list, DCCTrustHub
	}
	return t.local, DCCTrustLocal
}

// HubSHA256 is the hex SHA-256 of the installed hub list ("" when none),
// which the sync client compares with the index's.
func (t *DCCTrust) HubSHA256() string {
	if h := t.hub.Load(); h != nil {
		return h.sha256
	}
	return ""
}

// Install replaces the hub's list with data, whose size and SHA-256 the
// caller has checked against the signed index. A list that does not parse
// or holds no signer is refused and the installed one stays. The file is
// replaced atomically (a synced temporary file renamed over it, the
// directory synced) before the checker sees the new list, so a crash
// leaves the old list or the new one, never half of one.
func (t *DCCTrust) Install(data []byte) error {
	h, err := parseHubTrust(data)
	if err != nil {
		return fmt.Errorf("hub dcc trust list refused: %w", err)
	}
	if err := writeAtomic(t.hubPath, data); err != nil {
		return fmt.Errorf("install hub dcc trust list: %w", err)
	}
	t.hub.Store(h)
	return nil
}

// writeAtomic replaces path with data through a synced temporary file in
// the same directory.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
