package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// TestTwoHubsShareArtifacts: two hub instances with data directories of
// their own (the same keys), one database and one --artifacts directory:
// a version imported through either is served by both, files and all, and
// neither writes snapshot files into its own data directory.
func TestTwoHubsShareArtifacts(t *testing.T) {
	dataA := pgHub(t, pg.Database(t))
	dataB := filepath.Join(t.TempDir(), "data-b")
	if out, err := exec.Command("cp", "-a", dataA, dataB).CombinedOutput(); err != nil {
		t.Fatalf("copy the keys: %v %s", err, out)
	}
	artifacts := filepath.Join(t.TempDir(), "shared")
	a := startHub(t, dataA, "--artifacts", artifacts, "--public-snapshots")
	b := startHub(t, dataB, "--artifacts", artifacts, "--public-snapshots")
	dir := t.TempDir()
	iins := testIINs(300)
	key := hubKey(t, dataA)

	check := func(h *hubProcess, want uint64, deltas int) {
		t.Helper()
		resp, doc := get(t, noRedirect(""), h.url+protocol.ManifestPath)
		x, err := protocol.VerifyIndex(doc, key)
		if resp.StatusCode != 200 || err != nil || x.Version != want || len(x.Deltas) != deltas {
			t.Fatalf("%s serves %d %+v %v, want version %d with %d deltas", h.url, resp.StatusCode, x, err, want, deltas)
		}
		for _, f := range append(x.Deltas, x.Full, *x.Transfer) {
			resp, body := get(t, noRedirect(""), h.url+protocol.FileURL(f.Name))
			sum := sha256.Sum256(body)
			if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != f.SHA256 {
				t.Fatalf("%s: %s: %d", h.url, f.Name, resp.StatusCode)
			}
		}
	}
	mustRun(t, "import", "--data", dataA, "--artifacts", artifacts, writeCSV(t, dir, "v1.csv", iins[:250], 0))
	check(a, 1, 0)
	check(b, 1, 0)
	mustRun(t, "import", "--data", dataB, "--artifacts", artifacts, writeCSV(t, dir, "v2.csv", iins[:300], 0))
	check(b, 2, 1)
	check(a, 2, 1)
	for _, data := range []string{dataA, dataB} {
		if _, err := os.Stat(filepath.Join(data, "public")); !os.IsNotExist(err) {
			t.Errorf("%s has snapshot files of its own: %v", data, err)
		}
	}
	// The shared directory holds the index the hubs serve, at its URL
	// path: a static server rooted there serves the same.
	doc, _ := os.ReadFile(filepath.Join(artifacts, "v1", "manifest"))
	_, served := get(t, noRedirect(""), a.url+protocol.ManifestPath)
	if !bytes.Equal(doc, served) || !strings.Contains(string(doc), "full-2.dcsnap") {
		t.Fatal("the hub does not serve the shared directory's index")
	}
	assertNoIIN(t, artifacts, iins)
	for _, h := range []*hubProcess{a, b} {
		if err := h.stop(t); err != nil {
			t.Fatal(err)
		}
	}
}
