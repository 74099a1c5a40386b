package client

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// DCCTrust is what the client needs of the kiosk's DCC trust list
// (kiosk.DCCTrust): the hash of the hub list it holds, and installing a
// new one.
type DCCTrust interface {
	HubSHA256() string
	Install(data []byte) error
}

// syncDCCTrust brings the kiosk's DCC trust list to the one the verified
// index names: downloaded (resumable, like a snapshot file), checked
// against the index's size and SHA-256 (the index's signature covers
// them), and installed atomically. A file that fails the check, or does
// not parse, is refused and the installed list stays. An index that names
// no list changes nothing.
func (c *Client) syncDCCTrust(ctx context.Context, attempts int, x *protocol.Index) error {
	if c.opt.DCCTrust == nil || x.DCCTrust == nil || x.DCCTrust.SHA256 == c.opt.DCCTrust.HubSHA256() {
		return nil
	}
	f := *x.DCCTrust
	path := filepath.Join(c.opt.Dir, ".download-"+f.Name)
	c.update(func(s *kiosk.SyncState) { s.Downloading, s.Downloaded, s.DownloadSize = true, 0, f.Size })
	defer c.update(func(s *kiosk.SyncState) { s.Downloading = false })
	if err := c.retry(ctx, attempts, "download", func() error { return c.download(ctx, f, path) }); err != nil {
		return err
	}
	defer os.Remove(path)
	defer os.Remove(path + ".etag")
	if err := verifyFile(path, f); err != nil {
		return err
	}
	data, err := os.ReadFile(path) // f.Size is bounded by the index's validation
	if err != nil {
		return fmt.Errorf("read download: %w", err)
	}
	if err := c.opt.DCCTrust.Install(data); err != nil {
		return permanent(fmt.Errorf("%s: %w", f.Name, err))
	}
	c.log.Info("dcc trust list installed", "file", f.Name, "signers", f.Records)
	return nil
}
