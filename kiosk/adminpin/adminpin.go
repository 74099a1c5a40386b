// Package adminpin keeps the kiosk's admin PIN as a slow salted hash
// (argon2id), so the file beside the config tells whoever copies it
// nothing short of guessing each PIN at argon2id's cost. The hash string
// carries its own parameters (the PHC form
// $argon2id$v=19$m=…,t=…,p=…$salt$hash), so parameters can grow later
// without invalidating PINs already set.
package adminpin

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams are OWASP's argon2id minimum (19 MiB, 2 passes, 1
// thread): about 50–100 ms on a small ARM board, which a guard waits once
// per PIN and an attacker pays per guess.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Bounds on the parameters Verify accepts from a file: a damaged or
// hostile hash string must not make the kiosk allocate gigabytes or spin
// for minutes.
const (
	maxMemory  = 256 * 1024 // KiB
	maxTime    = 16
	maxThreads = 16
	saltLen    = 16
	keyLen     = 32
)

// DemoPIN is the demo kiosk's fixed PIN. The demo's idle screen shows it,
// so whoever started the demo can always quit it.
const DemoPIN = "0000"

// PIN length limits: four digits is the shortest anyone accepts on a
// door; twelve is an IIN's length and far beyond what a guard types.
const (
	MinLen = 4
	MaxLen = 12
)

// ErrNotSet is returned by Load when no PIN has been set.
var ErrNotSet = errors.New("no admin PIN is set")

// Check reports why pin cannot be an admin PIN: digits only (the PIN
// dialog takes the manual field, which holds digits), MinLen to MaxLen of
// them.
func Check(pin string) error {
	if len(pin) < MinLen || len(pin) > MaxLen {
		return fmt.Errorf("the PIN must have %d to %d digits, got %d characters", MinLen, MaxLen, len(pin))
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return errors.New("the PIN must be digits only")
		}
	}
	return nil
}

// Hash returns the encoded argon2id hash of pin with a salt from rand.
func Hash(pin string, p Params, rand io.Reader) (string, error) {
	if err := Check(pin); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("admin PIN: read randomness: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Hashed is a parsed hash string.
type Hashed struct {
	Params
	salt, key []byte
}

// Parse reads an encoded hash, refusing any parameters out of bounds.
func Parse(encoded string) (Hashed, error) {
	var h Hashed
	parts := strings.Split(strings.TrimSpace(encoded), "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, errors.New("admin PIN hash: want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return h, fmt.Errorf("admin PIN hash: unsupported version %q", parts[2])
	}
	var m, t, p uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return h, fmt.Errorf("admin PIN hash: bad parameters %q", parts[3])
	}
	if m < 8*p || m > maxMemory || t < 1 || t > maxTime || p < 1 || p > maxThreads {
		return h, fmt.Errorf("admin PIN hash: parameters %q out of bounds", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return h, errors.New("admin PIN hash: bad salt or hash")
	}
	return Hashed{Params: Params{Memory: m, Time: t, Threads: uint8(p)}, salt: salt, key: key}, nil
}

// Matches reports whether pin is the hashed PIN, in constant time over
// the hash.
func (h Hashed) Matches(pin string) bool {
	if len(h.key) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), h.salt, h.Time, h.Memory, h.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// Load reads the hash file at path; ErrNotSet when there is none. An
// empty or damaged file is an error, not "no PIN": that would unlock the
// kiosk.
func Load(path string) (Hashed, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Hashed{}, ErrNotSet
	}
	if err != nil {
		return Hashed{}, fmt.Errorf("read admin PIN: %w", err)
	}
	h, err := Parse(string(b))
	if err != nil {
		return Hashed{}, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// Save writes encoded to path durably with mode 0600: a temporary file
// beside it, synced, renamed over it, and the directory synced, so a
// power cut leaves the old PIN or the new one, never half of either.
func Save(path, encoded string) error {
	if _, err := Parse(encoded); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".admin-pin-*")
	if err != nil {
		return fmt.Errorf("write admin PIN: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone already after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write admin PIN: %w", err)
	}
	if _, err := f.WriteString(encoded + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write admin PIN: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write admin PIN: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write admin PIN: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write admin PIN: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write admin PIN: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write admin PIN: sync directory: %w", err)
	}
	return nil
}
