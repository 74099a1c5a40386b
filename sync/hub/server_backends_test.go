package hub_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// TestServerOnBothBackends: the server over each backend answers what
// storage holds — the index of the latest version, its files, and the
// files of an older version no longer in the index (a kiosk finishing a
// download it began before the next import), looked up in storage — and
// 404 for a version's file never published.
func TestServerOnBothBackends(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ids := iins(60)
		for i := range 3 {
			if _, err := f.importText(t, hub.CSV, csvOf(people(ids[:40+10*i], 0)), 0); err != nil {
				t.Fatal(err)
			}
		}
		srv := hub.NewServer(hub.ServerOptions{Data: f.d, Storage: f.st, Keys: f.keys, Config: f.cfg, PublicSnapshots: true})
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		defer srv.Close(context.Background())
		get := func(path string) (int, []byte) {
			resp, err := http.Get(hs.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		st, doc := get(protocol.ManifestPath)
		x, err := protocol.VerifyIndex(doc, f.keys.HubPublic())
		if st != 200 || err != nil || x.Version != 3 {
			t.Fatalf("index: %d %v %+v", st, err, x)
		}
		inIndex := map[string]bool{x.Full.Name: true}
		for _, d := range x.Deltas {
			inIndex[d.Name] = true
		}
		if inIndex[protocol.FullName(1)] {
			t.Fatal("version 1's full file is still in the index")
		}
		v1, err := f.st.SnapshotVersions(context.Background(), 1, 1)
		if err != nil || len(v1) != 1 {
			t.Fatalf("version 1: %v %v", v1, err)
		}
		for _, ref := range []protocol.FileRef{x.Full, v1[0].Full, v1[0].Transfer} {
			st, body := get(protocol.FileURL(ref.Name))
			sum := sha256.Sum256(body)
			if st != 200 || hex.EncodeToString(sum[:]) != ref.SHA256 {
				t.Errorf("%s: %d", ref.Name, st)
			}
		}
		if st, _ := get(protocol.FileURL(protocol.FullName(4))); st != 404 {
			t.Errorf("an unpublished version's file: %d", st)
		}
	})
}
