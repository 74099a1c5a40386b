package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/doorcheck/doorcheck/sync/hub"
	bolt "go.etcd.io/bbolt"
)

func versionKey(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// PublishSnapshot implements hub.Storage.
func (s *Store) PublishSnapshot(ctx context.Context, v hub.SnapshotVersion) error {
	val, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.control(ctx, true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSnapshots)
		if err != nil {
			return err
		}
		var latest uint64
		if k, _ := b.Cursor().Last(); k != nil {
			latest = binary.BigEndian.Uint64(k)
		}
		if v.Version != latest+1 {
			return fmt.Errorf("publish version %d after %d: %w", v.Version, latest, hub.ErrVersionOrder)
		}
		return b.Put(versionKey(v.Version), val)
	})
}

// LatestSnapshot implements hub.Storage.
func (s *Store) LatestSnapshot(ctx context.Context) (hub.SnapshotVersion, error) {
	vs, err := s.SnapshotVersions(ctx, ^uint64(0), 1)
	if err != nil {
		return hub.SnapshotVersion{}, err
	}
	if len(vs) == 0 {
		return hub.SnapshotVersion{}, fmt.Errorf("latest snapshot: %w", hub.ErrNotFound)
	}
	return vs[0], nil
}

// SnapshotVersions implements hub.Storage.
func (s *Store) SnapshotVersions(ctx context.Context, newest uint64, limit int) ([]hub.SnapshotVersion, error) {
	var out []hub.SnapshotVersion
	err := s.control(ctx, false, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketSnapshots)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, val := c.Seek(versionKey(newest))
		switch {
		case k == nil:
			k, val = c.Last()
		case binary.BigEndian.Uint64(k) > newest:
			k, val = c.Prev()
		}
		for ; k != nil && len(out) < limit; k, val = c.Prev() {
			var v hub.SnapshotVersion
			if err := json.Unmarshal(val, &v); err != nil {
				return fmt.Errorf("snapshot version %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
