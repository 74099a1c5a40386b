package hub

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/doorcheck/doorcheck/sync/wire"
)

// Key files in DATA/keys. The private ones must be readable by their owner
// only; every command refuses to run otherwise (CheckKeyFiles).
const (
	HubKeyFile         = "hub.key"        // Ed25519, PKCS #8 PEM: signs manifests and indexes
	IssuerKeyFile      = "issuer.key"     // Ed25519, PKCS #8 PEM: the hub as pass issuer
	SubjectKeyFile     = "subject.key"    // 32 random bytes, PEM: the HMAC subject-hash key
	HubPublicKeyFile   = "hub.pub"        // base64 Ed25519 public key, for kiosk configs (public)
	OperatorTokenFile  = "operator.token" // bearer token of operator endpoints (GET /v1/report)
	subjectKeyPEMType  = "DOORCHECK SUBJECT HASH KEY"
	subjectHashKeySize = 32
)

var privateKeyFiles = []string{HubKeyFile, IssuerKeyFile, SubjectKeyFile, OperatorTokenFile}

// Keys are the hub's secrets.
type Keys struct {
	Hub         ed25519.PrivateKey
	Issuer      ed25519.PrivateKey
	SubjectHash []byte
	// OperatorToken authorises operator endpoints; its text form is what
	// an operator sends as Authorization: Bearer TOKEN.
	OperatorToken string
}

// HubPublic returns the hub's public key, which kiosks pin.
func (k Keys) HubPublic() ed25519.PublicKey { return k.Hub.Public().(ed25519.PublicKey) }

// IssuerPublic returns the hub issuer's public key.
func (k Keys) IssuerPublic() ed25519.PublicKey { return k.Issuer.Public().(ed25519.PublicKey) }

// ErrKeysExist is returned by Keygen when the data directory has keys.
var ErrKeysExist = errors.New("the data directory already has keys")

// Keygen creates the data directory if needed and writes fresh keys and the
// config into it. It never overwrites keys: rotating them is a deliberate
// act of its own. The keys are written into a temporary directory that is
// renamed into place, so a crash leaves either no keys or all of them.
func Keygen(d DataDir, cfg Config, rand io.Reader) (Keys, error) {
	if _, err := os.Lstat(d.KeysDir()); err == nil {
		return Keys{}, fmt.Errorf("%s: %w", d.KeysDir(), ErrKeysExist)
	}
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return Keys{}, fmt.Errorf("create data directory: %w", err)
	}
	var keys Keys
	var err error
	if _, keys.Hub, err = ed25519.GenerateKey(rand); err != nil {
		return Keys{}, fmt.Errorf("hub key: %w", err)
	}
	if _, keys.Issuer, err = ed25519.GenerateKey(rand); err != nil {
		return Keys{}, fmt.Errorf("issuer key: %w", err)
	}
	keys.SubjectHash = make([]byte, subjectHashKeySize)
	if _, err := io.ReadFull(rand, keys.SubjectHash); err != nil {
		return Keys{}, fmt.Errorf("subject-hash key: %w", err)
	}
	op := make([]byte, 32)
	if _, err := io.ReadFull(rand, op); err != nil {
		return Keys{}, fmt.Errorf("operator token: %w", err)
	}
	keys.OperatorToken = base64.RawURLEncoding.EncodeToString(op)
	tmp, err := os.MkdirTemp(string(d), ".keys-")
	if err != nil {
		return Keys{}, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o700); err != nil {
		return Keys{}, err
	}
	hubPEM, err := privatePEM(keys.Hub)
	if err != nil {
		return Keys{}, err
	}
	issuerPEM, err := privatePEM(keys.Issuer)
	if err != nil {
		return Keys{}, err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{HubKeyFile, hubPEM, 0o600},
		{IssuerKeyFile, issuerPEM, 0o600},
		{SubjectKeyFile, pem.EncodeToMemory(&pem.Block{Type: subjectKeyPEMType, Bytes: keys.SubjectHash}), 0o600},
		{OperatorTokenFile, []byte(keys.OperatorToken + "\n"), 0o600},
		{HubPublicKeyFile, []byte(base64.StdEncoding.EncodeToString(keys.HubPublic()) + "\n"), 0o644},
	}
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, f.name), f.data, f.mode); err != nil {
			return Keys{}, err
		}
	}
	if err := syncDir(tmp); err != nil {
		return Keys{}, err
	}
	if err := os.Rename(tmp, d.KeysDir()); err != nil {
		return Keys{}, fmt.Errorf("put keys in place: %w", err)
	}
	if err := d.SaveConfig(cfg); err != nil {
		return Keys{}, err
	}
	return keys, syncDir(string(d))
}

func privatePEM(k ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// CheckKeyFiles refuses key files that others could read: every private
// key file must be a regular file with no group or other permission bits,
// in a directory others cannot write to.
func CheckKeyFiles(d DataDir) error {
	info, err := os.Lstat(d.KeysDir())
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s has no keys: run doorcheck-hub keygen --data %s first", d, d)
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", d.KeysDir())
	}
	if info.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %04o): chmod go-w it", d.KeysDir(), info.Mode().Perm())
	}
	var errs []error
	for _, name := range privateKeyFiles {
		path := filepath.Join(d.KeysDir(), name)
		info, err := os.Lstat(path)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("key file: %w", err))
		case !info.Mode().IsRegular():
			errs = append(errs, fmt.Errorf("%s is not a regular file", path))
		case info.Mode().Perm()&0o077 != 0:
			errs = append(errs, fmt.Errorf("%s is readable by group or others (mode %04o): chmod 600 it", path, info.Mode().Perm()))
		}
	}
	return errors.Join(errs...)
}

// LoadKeys checks the key files' permissions and reads them.
func LoadKeys(d DataDir) (Keys, error) {
	if err := CheckKeyFiles(d); err != nil {
		return Keys{}, err
	}
	var keys Keys
	var err error
	if keys.Hub, err = readPrivateKey(filepath.Join(d.KeysDir(), HubKeyFile)); err != nil {
		return Keys{}, err
	}
	if keys.Issuer, err = readPrivateKey(filepath.Join(d.KeysDir(), IssuerKeyFile)); err != nil {
		return Keys{}, err
	}
	path := filepath.Join(d.KeysDir(), SubjectKeyFile)
	block, err := readPEM(path, subjectKeyPEMType)
	if err != nil {
		return Keys{}, err
	}
	if len(block) < 16 {
		return Keys{}, fmt.Errorf("%s: subject-hash key is %d bytes, want at least 16", path, len(block))
	}
	keys.SubjectHash = block
	tok, err := os.ReadFile(filepath.Join(d.KeysDir(), OperatorTokenFile))
	if err != nil {
		return Keys{}, fmt.Errorf("read operator token: %w", err)
	}
	if keys.OperatorToken = strings.TrimSpace(string(tok)); len(keys.OperatorToken) < 32 {
		return Keys{}, fmt.Errorf("%s: operator token too short", OperatorTokenFile)
	}
	return keys, nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return ek, nil
}

func readPEM(path, typ string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != typ {
		return nil, fmt.Errorf("%s: want one PEM block of type %q", path, typ)
	}
	return block.Bytes, nil
}

func keyID(k Keys) wire.KeyID { return wire.KeyIDOf(k.HubPublic()) }
