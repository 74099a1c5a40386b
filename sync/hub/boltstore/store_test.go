package boltstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/hub/storagetest"
	bolt "go.etcd.io/bbolt"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) hub.Storage {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestShortCommandsWhileServing: a serving process holds visits.db, and a
// second one (import, enroll) can still publish and enroll through
// control.db; only a second server is locked out, with a clear error.
func TestShortCommandsWhileServing(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	serving, err := Open(dir, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer serving.Close()
	if _, err := serving.IngestVisits(ctx, "k", nil); err != nil {
		t.Fatal(err)
	}
	other, err := Open(dir, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	v := hub.SnapshotVersion{Version: 1, CreatedAt: time.Now()}
	if err := other.PublishSnapshot(ctx, v); err != nil {
		t.Fatalf("publish while another process serves: %v", err)
	}
	if got, err := serving.LatestSnapshot(ctx); err != nil || got.Version != 1 {
		t.Fatalf("the server sees the published version: %+v %v", got, err)
	}
	_, err = other.IngestVisits(ctx, "k", nil)
	if !errors.Is(err, bolt.ErrTimeout) || !strings.Contains(err.Error(), "serving") {
		t.Fatalf("second server: %v", err)
	}
}

func TestReadsCreateNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Kiosks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ControlFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read created %s: %v", ControlFile, err)
	}
}
