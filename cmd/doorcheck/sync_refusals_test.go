package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/kiosk/store"
	"github.com/doorcheck/doorcheck/sync/protocol"
)

// TestSyncRefusesBadSnapshots, between real processes: `doorcheck sync
// --once` against a real hub, through the fault proxy rewriting what the
// hub served as a broken cache or an attacker on the path would. A
// tampered file, a truncated download and a delta for the wrong base are
// refused and leave the old snapshot current; an older (replayed) index
// is no rollback. With the proxy honest again the same kiosk catches up
// through the deltas. (A signed index names each file's size and hash, so
// the wrong-base delta a real hub's path can deliver is refused by its
// hash; a signed index pointing at one is sync/client's TestCheckRefusals.)
func TestSyncRefusesBadSnapshots(t *testing.T) {
	h := newTestHub(t)
	// 400 subjects, a few changed per version: the deltas are far smaller
	// than the full file, so the hub offers the chain.
	iins := syncIINs(400)
	statuses := []string{"green", "red", "yellow", "blue"}
	version := func(v int) func(int) string {
		return func(i int) string {
			if i < 4*v {
				return statuses[(i+v)%4]
			}
			return statuses[i%4]
		}
	}
	h.importIINs(iins, version(0))
	h.serve()
	px := newFaultProxy(t, 1, h.url)

	var oldIndex []byte
	record := func(path string, body []byte) []byte {
		if path == protocol.ManifestPath {
			oldIndex = bytes.Clone(body)
		}
		return body
	}
	px.rewrite.Store(&record)
	k := provisionBehind(t, h, px, "hall", "east")
	cfgPath, db, hubKey, vars := k.config, k.db, k.hubKey, map[string]string{}
	px.rewrite.Store(nil)
	if len(oldIndex) == 0 {
		t.Fatal("provision fetched no index through the proxy")
	}
	files := func(f func(name string, body []byte) []byte) *func(string, []byte) []byte {
		rw := func(path string, body []byte) []byte {
			if name, ok := strings.CutPrefix(path, protocol.FilesPath); ok {
				return f(name, body)
			}
			return body
		}
		return &rw
	}
	flip := func(_ string, body []byte) []byte {
		if len(body) == 0 {
			return body
		}
		b := bytes.Clone(body)
		b[len(b)/2] ^= 0x40
		return b
	}
	refused := func(what string, rw *func(string, []byte) []byte, want uint64, says string) {
		t.Helper()
		px.rewrite.Store(rw)
		r := runChild(t, vars, nil, "sync", "--config", cfgPath, "--once")
		px.rewrite.Store(nil)
		noCrashSigns(t, what, r)
		if r.code == 0 {
			t.Errorf("%s: sync --once succeeded\n%s", what, r)
		}
		if v := kioskVersion(t, db, hubKey); v != want {
			t.Fatalf("%s: kiosk at version %d, want %d kept\n%s", what, v, want, r)
		}
		if !strings.Contains(string(r.stderr), says) {
			t.Errorf("%s: the kiosk does not say %q\n%s", what, says, r)
		}
	}

	// Version 2 published; every file the kiosk could take is tampered
	// with, then cut short (a well-framed answer, only shorter).
	h.importIINs(iins, version(1))
	refused("tampered files", files(flip), 1, "do not hash to the index's sha256")
	// Every answer cut to half what was asked: the kiosk resumes (Range)
	// and is cut again, until it is SIGKILLed mid-download, as a power
	// cut does. Nothing half-downloaded became current.
	cut := files(func(_ string, b []byte) []byte { return b[:len(b)/2] })
	px.rewrite.Store(cut)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	cmd := proofCommand(ctx, vars, "sync", "--config", cfgPath, "--once")
	var cutErr bytes.Buffer
	cmd.Stderr = &cutErr
	cmd.Run()
	cancel()
	px.rewrite.Store(nil)
	if v := kioskVersion(t, db, hubKey); v != 1 || !strings.Contains(cutErr.String(), "cut at byte") {
		t.Fatalf("truncated downloads: kiosk at version %d, want 1 kept\n%s", v, cutErr.String())
	}

	// Version 3: asked for the delta 1→2 the proxy sends the delta 2→3 (a
	// delta for the wrong base), and every other file tampered with.
	h.importIINs(iins, version(2))
	wrongBase, err := os.ReadFile(filepath.Join(h.data, "public", "v1", "files", protocol.DeltaName(2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	refused("a delta for the wrong base", files(func(name string, b []byte) []byte {
		if name == protocol.DeltaName(1, 2) {
			return wrongBase
		}
		return flip(name, b)
	}), 1, "delta failed; taking the full snapshot")

	// Honest again: the same kiosk takes the deltas to version 3.
	r := runChild(t, vars, nil, "sync", "--config", cfgPath, "--once")
	if r.code != 0 || !strings.Contains(string(r.stdout), "snapshot: deltas, version 1 → 3") {
		t.Fatalf("honest sync: %s", r)
	}

	// An older index (version 1's, signed and replayed): no rollback.
	replay := func(path string, body []byte) []byte {
		if path == protocol.ManifestPath {
			return oldIndex
		}
		return body
	}
	px.rewrite.Store(&replay)
	r = runChild(t, vars, nil, "sync", "--config", cfgPath, "--once")
	px.rewrite.Store(nil)
	noCrashSigns(t, "older index", r)
	if v := kioskVersion(t, db, hubKey); v != 3 {
		t.Fatalf("older index: kiosk at version %d, want 3 kept\n%s", v, r)
	}
	if !strings.Contains(string(r.stderr), "older") {
		t.Errorf("older index: the kiosk does not say so\n%s", r)
	}
}

// kioskVersion opens the (stopped) kiosk's store and returns the version
// of its current snapshot.
func kioskVersion(t *testing.T, db string, hubKey ed25519.PublicKey) uint64 {
	t.Helper()
	st, err := store.Open(db, store.Options{HubKey: hubKey})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, ok := st.Current()
	if !ok {
		return 0
	}
	return m.Version
}
