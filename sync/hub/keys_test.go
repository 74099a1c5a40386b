package hub

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeygenLoad(t *testing.T) {
	d := DataDir(filepath.Join(t.TempDir(), "data"))
	keys, err := Keygen(d, Config{Deployment: "test"}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range privateKeyFiles {
		info, err := os.Stat(filepath.Join(d.KeysDir(), name))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", name, info.Mode(), err)
		}
	}
	loaded, err := LoadKeys(d)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Hub.Equal(keys.Hub) || !loaded.Issuer.Equal(keys.Issuer) || !bytes.Equal(loaded.SubjectHash, keys.SubjectHash) || len(keys.SubjectHash) != 32 {
		t.Fatal("loaded keys differ from generated ones")
	}
	if loaded.OperatorToken != keys.OperatorToken || len(keys.OperatorToken) < 40 {
		t.Fatal("operator token not kept")
	}
	if keys.Hub.Equal(keys.Issuer) {
		t.Fatal("hub and issuer keys are the same")
	}
	pub, _ := os.ReadFile(filepath.Join(d.KeysDir(), HubPublicKeyFile))
	if !strings.Contains(string(pub), "\n") || len(pub) != 45 {
		t.Fatalf("hub.pub: %q", pub)
	}
	if _, err := Keygen(d, Config{Deployment: "test"}, rand.Reader); !errors.Is(err, ErrKeysExist) {
		t.Fatalf("second keygen: %v", err)
	}
	again, _ := LoadKeys(d)
	if !again.Hub.Equal(keys.Hub) {
		t.Fatal("second keygen replaced the key")
	}
	if c, err := d.LoadConfig(); err != nil || c.Deployment != "test" {
		t.Fatalf("config: %+v %v", c, err)
	}
}

func TestKeyFilesReadableByOthersAreRefused(t *testing.T) {
	d := DataDir(t.TempDir())
	if _, err := Keygen(d, Config{Deployment: "test"}, rand.Reader); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		mode os.FileMode
	}{
		{HubKeyFile, 0o640},
		{IssuerKeyFile, 0o604},
		{SubjectKeyFile, 0o644},
		{HubKeyFile, 0o610},
		{OperatorTokenFile, 0o640},
	} {
		path := filepath.Join(d.KeysDir(), tc.file)
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeys(d)
		if err == nil || !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("%s at %04o: %v", tc.file, tc.mode, err)
		}
		os.Chmod(path, 0o600)
	}
	if err := os.Chmod(d.KeysDir(), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := CheckKeyFiles(d); err == nil {
		t.Error("a world-writable keys directory is accepted")
	}
	os.Chmod(d.KeysDir(), 0o700)
	if err := CheckKeyFiles(d); err != nil {
		t.Fatal(err)
	}
	if err := CheckKeyFiles(DataDir(t.TempDir())); err == nil || !strings.Contains(err.Error(), "keygen") {
		t.Errorf("no keys: %v", err)
	}
}
