package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// DataDir is the hub's data directory (--data):
//
//	DATA/hub.json                   deployment settings (keygen writes it)
//	DATA/keys/                      private keys, mode 0600 (keys.go)
//	DATA/control.db, visits.db      the bbolt backend (sync/hub/boltstore)
//	DATA/public/v1/manifest         the signed snapshot index   } the default
//	DATA/public/v1/files/*.dcsnap   immutable snapshot and delta } Artifacts
//	DATA/tmp/                       import scratch: sorted runs of hashed keys
//
// DATA/public mirrors the URL paths, so a static server rooted there serves
// what the hub serves (docs/protocol.md).
type DataDir string

func (d DataDir) path(elem ...string) string {
	return filepath.Join(append([]string{string(d)}, elem...)...)
}

// Artifacts is the document root of the snapshot files (--artifacts): the
// signed index at ARTIFACTS/v1/manifest and the immutable snapshot and
// delta files at ARTIFACTS/v1/files, the URL paths a kiosk asks for, so
// any hub instance or a static server rooted at ARTIFACTS serves them.
// Several hub instances on one PostgreSQL database share one (a shared
// file system or a synced object-store path). Files are staged in
// ARTIFACTS/.staging, on the same file system, and renamed into place.
// The default is DATA/public.
type Artifacts string

// Artifacts returns the default artifacts root, DATA/public.
func (d DataDir) Artifacts() Artifacts { return Artifacts(d.PublicDir()) }

// FilesDir holds the immutable snapshot files.
func (a Artifacts) FilesDir() string { return filepath.Join(string(a), "v1", "files") }

// ManifestFile is the signed index served at /v1/manifest.
func (a Artifacts) ManifestFile() string {
	return filepath.Join(string(a), filepath.FromSlash(protocol.ManifestPath[1:]))
}

// StagingDir holds files being written, before their rename into FilesDir.
func (a Artifacts) StagingDir() string { return filepath.Join(string(a), ".staging") }

// KeysDir holds the private keys.
func (d DataDir) KeysDir() string { return d.path("keys") }

// PublicDir is the document root of the static layout.
func (d DataDir) PublicDir() string { return d.path("public") }

// FilesDir holds the immutable snapshot files of the default artifacts.
func (d DataDir) FilesDir() string { return d.Artifacts().FilesDir() }

// ManifestFile is the signed index of the default artifacts.
func (d DataDir) ManifestFile() string { return d.Artifacts().ManifestFile() }

// TmpDir holds import scratch files.
func (d DataDir) TmpDir() string { return d.path("tmp") }

// ConfigFile holds the deployment settings.
func (d DataDir) ConfigFile() string { return d.path("hub.json") }

// Config is the hub's deployment settings, kept in DATA/hub.json.
type Config struct {
	// Deployment names the deployment in every manifest.
	Deployment string `json:"deployment"`
	// IssuerName is the name of the hub's own pass issuer in trust lists.
	IssuerName string `json:"issuer_name"`
	// URL is the base URL serve last listened on; enroll puts it in codes
	// unless --url says otherwise.
	URL string `json:"url,omitempty"`
}

// SaveConfig rewrites DATA/hub.json atomically.
func (d DataDir) SaveConfig(c Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(d.ConfigFile(), append(b, '\n'), 0o644)
}

// LoadConfig reads DATA/hub.json.
func (d DataDir) LoadConfig() (Config, error) {
	b, err := os.ReadFile(d.ConfigFile())
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("%s has no hub.json: run doorcheck-hub keygen --data %s first", d, d)
	}
	if err != nil {
		return Config{}, fmt.Errorf("hub config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("hub config %s: %w", d.ConfigFile(), err)
	}
	if c.Deployment == "" {
		return Config{}, fmt.Errorf("hub config %s: deployment is empty", d.ConfigFile())
	}
	return c, nil
}
