package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/doorcheck/doorcheck/scanner/qrimage"
	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/boltstore"
	"github.com/doorcheck/doorcheck/sync/visit"
)

// runEnroll makes a one-time enrollment code for one door.
func runEnroll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "enroll")
	data := fs.String("data", "", "hub data `directory` (required)")
	venue := fs.String("venue", "", "venue `name` (required)")
	door := fs.String("door", "", "door `name` (required)")
	direction := fs.String("direction", "", "entry or exit (required)")
	url := fs.String("url", "", "hub `URL` in the code (default: the address serve last listened on)")
	expires := fs.Duration("expires", 24*time.Hour, "how long the code can be redeemed")
	qrFile := fs.String("qr", "", "also write the code as a QR code PNG `file`")
	sf := addStoreFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *venue == "" || *door == "" || *direction == "" || fs.NArg() != 0 {
		return usagef("want --data DIR --venue V --door D --direction entry|exit")
	}
	dir, err := visit.ParseDirection(*direction)
	if err != nil {
		return usagef("--direction must be entry or exit")
	}
	if *expires <= 0 {
		return usagef("--expires must be positive")
	}
	d, keys, cfg, err := openData(*data)
	if err != nil {
		return err
	}
	if *url == "" {
		*url = cfg.URL
	}
	if *url == "" {
		return usagef("no hub URL: run serve once (it records its address) or pass --url")
	}
	st, err := openHubStore(ctx, sf, d, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	code, en, err := hub.Enroll(ctx, st, keys, hub.EnrollOptions{
		Venue: *venue, Door: *door, Direction: dir, URL: *url, TTL: *expires, Now: e.now(),
	})
	if err != nil {
		return err
	}
	text := code.String()
	if *qrFile != "" {
		if err := writeFile(*qrFile, func(w io.Writer) error { return qrimage.EncodePNG(w, text, 8) }); err != nil {
			return err
		}
	}
	if e.stdoutTerminal {
		art, err := qrimage.RenderHalfBlocks(text)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, art)
	}
	fmt.Fprintf(e.stdout, "enrollment for venue %s, door %s, %s; redeemable once until %s\n", en.Venue, en.Door, en.Direction, en.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "hub %s, key sha256:%s\n", code.URL, hex.EncodeToString(code.KeyFingerprint[:]))
	if *qrFile != "" {
		fmt.Fprintf(e.stdout, "QR code written to %s\n", *qrFile)
	}
	fmt.Fprintf(e.stdout, "code %s\n", text)
	return nil
}

// writeFile writes path through a temporary file and a rename.
func writeFile(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// serveURL is the base URL kiosks should use for a listener: the --addr
// host when it names one, else this machine's host name.
func serveURL(scheme, addr string, ln net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(ln.String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
