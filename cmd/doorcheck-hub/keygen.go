package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/wire"
)

// runKeygen creates the data directory's keys and config. It never
// replaces existing keys.
func runKeygen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "keygen")
	data := fs.String("data", "", "hub data `directory` (required)")
	deployment := fs.String("deployment", "doorcheck", "deployment `name` written into every manifest")
	issuerName := fs.String("issuer-name", "doorcheck hub", "`name` of the hub's pass issuer in the trust list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() != 0 {
		return usagef("want --data DIR and no arguments")
	}
	d := hub.DataDir(*data)
	keys, err := hub.Keygen(d, hub.Config{Deployment: *deployment, IssuerName: *issuerName}, rand.Reader)
	if err != nil {
		return err
	}
	pub := keys.HubPublic()
	fp := sha256.Sum256(pub)
	fmt.Fprintf(e.stdout, "keys written to %s (private keys mode 0600)\n", d.KeysDir())
	fmt.Fprintf(e.stdout, "hub key     %s (id %s)\n", base64.StdEncoding.EncodeToString(pub), wire.KeyIDOf(pub))
	fmt.Fprintf(e.stdout, "fingerprint sha256:%s\n", hex.EncodeToString(fp[:]))
	fmt.Fprintf(e.stdout, "issuer key  id %s\n", wire.KeyIDOf(keys.IssuerPublic()))
	return nil
}

// openData checks the key files and loads keys and config: every command
// but keygen starts here, so none runs with keys others can read.
func openData(dir string) (hub.DataDir, hub.Keys, hub.Config, error) {
	if dir == "" {
		return "", hub.Keys{}, hub.Config{}, usagef("--data DIR is required")
	}
	d := hub.DataDir(dir)
	keys, err := hub.LoadKeys(d)
	if err != nil {
		return "", hub.Keys{}, hub.Config{}, err
	}
	cfg, err := d.LoadConfig()
	if err != nil {
		return "", hub.Keys{}, hub.Config{}, err
	}
	return d, keys, cfg, nil
}
