package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/doorcheck/doorcheck/kiosk"
	"github.com/doorcheck/doorcheck/sync/dcc/dcctest"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// publishTrust signs an index for version v (full file only) that names
// the DCC trust list trust, and serves body under its name.
func (h *fakeHub) publishTrust(vs versions, v uint64, trust protocol.FileRef, body []byte) {
	h.t.Helper()
	h.put(protocol.FullName(v), vs.full[v-1])
	h.put(trust.Name, body)
	doc, err := protocol.SignIndex(protocol.Index{PublishedAt: time.Now(), Version: v, Full: vs.fullRef(v), DCCTrust: &trust}, h.keys.Hub)
	if err != nil {
		h.t.Fatal(err)
	}
	sum := sha256.Sum256(doc)
	h.mu.Lock()
	h.index, h.etag = doc, `"`+hex.EncodeToString(sum[:8])+`"`
	h.mu.Unlock()
}

func trustListOf(t *testing.T, signers ...*dcctest.Signer) []byte {
	t.Helper()
	b, err := dcctest.TrustList(signers...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckInstallsDCCTrust: the list the index names is fetched with the
// snapshot and installed; an unchanged index fetches nothing; a list whose
// bytes do not match the index's hash (tampered on the way), or that
// matches but does not parse, is refused, the old list stays, and the
// next check tries again (the index's etag is not kept); a good new list
// then replaces it.
func TestCheckInstallsDCCTrust(t *testing.T) {
	h := newFakeHub(t)
	vs := makeVersions(t, 4)
	st := openStore(t, h)
	var sl sleeps
	trust, err := kiosk.OpenDCCTrust(filepath.Join(t.TempDir(), "dcc-trust-hub.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{URL: h.srv.URL, Credential: "k1.c2VjcmV0", HubKey: h.keys.Hub.Public().(ed25519.PublicKey),
		Store: st, Dir: t.TempDir(), Sleep: sl.sleep, Jitter: func() float64 { return 0.5 }, DCCTrust: trust})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	a, _ := dcctest.NewSigner(cose.AlgorithmES256, "DE", now.Add(-time.Hour), now.Add(time.Hour), nil, nil)
	b, _ := dcctest.NewSigner(cose.AlgorithmES256, "DE", now.Add(-time.Hour), now.Add(time.Hour), nil, nil)

	listA := trustListOf(t, a)
	refA := ref(protocol.DCCTrustName(1), 0, 1, listA, 1)
	h.publishTrust(vs, 1, refA, listA)
	if _, err := c.Check(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	if trust.HubSHA256() != refA.SHA256 || len(trust.List().Candidates(a.Kid())) != 1 {
		t.Fatalf("list A not installed: %s", trust.HubSHA256())
	}
	if res, err := c.Check(ctx, 1, nil); err != nil || res.Plan != protocol.PlanCurrent || h.notMod != 1 {
		t.Fatalf("unchanged: %+v %v, 304s %d", res, err, h.notMod)
	}

	// Tampered: same size, one byte changed in the certificate.
	listB := trustListOf(t, b)
	refB := ref(protocol.DCCTrustName(2), 0, 2, listB, 1)
	tampered := bytes.Clone(listB)
	tampered[len(tampered)/2] ^= 1
	h.publishTrust(vs, 2, refB, tampered)
	if _, err := c.Check(ctx, 1, nil); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("tampered list: %v", err)
	}
	if trust.HubSHA256() != refA.SHA256 || len(trust.List().Candidates(a.Kid())) != 1 || len(trust.List().Candidates(b.Kid())) != 0 {
		t.Fatal("a tampered list replaced the installed one")
	}
	if current(t, st) != 2 {
		t.Errorf("snapshot at %d: the status snapshot still applies", current(t, st))
	}
	if s := c.SyncState(); !strings.Contains(s.LastError, "refused") {
		t.Errorf("state error %q", s.LastError)
	}
	notMod := h.notMod
	if _, err := c.Check(ctx, 1, nil); err == nil || h.notMod != notMod {
		t.Fatalf("the next check did not try again: %v, 304s %d", err, h.notMod-notMod)
	}

	// Hashed right but not a trust list: refused too.
	junk := []byte(`[{"country":"DE","rawData":"AAAA"}]`)
	h.publishTrust(vs, 3, ref(protocol.DCCTrustName(3), 0, 3, junk, 1), junk)
	if _, err := c.Check(ctx, 1, nil); err == nil || trust.HubSHA256() != refA.SHA256 {
		t.Fatalf("unparseable list: %v, sha %s", err, trust.HubSHA256())
	}

	h.publishTrust(vs, 4, ref(protocol.DCCTrustName(4), 0, 4, listB, 1), listB)
	if _, err := c.Check(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	if trust.HubSHA256() != refB.SHA256 || len(trust.List().Candidates(b.Kid())) != 1 || len(trust.List().Candidates(a.Kid())) != 0 {
		t.Fatal("list B not installed")
	}
	if left, _ := filepath.Glob(filepath.Join(c.opt.Dir, ".download-*")); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
}
