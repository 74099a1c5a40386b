package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PublishSnapshot implements hub.Storage.
func (s *Store) PublishSnapshot(ctx context.Context, v hub.SnapshotVersion) error {
	return publishVersion(ctx, s.pool, v)
}

// execer is what publishVersion runs on: the pool, or an import's
// transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// publishVersion inserts v's row. The row goes in only when its version
// is one above the latest: two imports racing for one version both pass
// that test, and the primary key lets exactly one in (the other gets
// hub.ErrVersionOrder).
func publishVersion(ctx context.Context, q execer, v hub.SnapshotVersion) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `INSERT INTO snapshot_versions (version, created_at, body)
		SELECT $1, $2, $3 WHERE $1 = (SELECT coalesce(max(version), 0) + 1 FROM snapshot_versions)
		ON CONFLICT (version) DO NOTHING`, int64(v.Version), v.CreatedAt, body)
	if err != nil {
		return fmt.Errorf("publish version %d: %w", v.Version, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("publish version %d: %w", v.Version, hub.ErrVersionOrder)
	}
	return nil
}

// LatestSnapshot implements hub.Storage.
func (s *Store) LatestSnapshot(ctx context.Context) (hub.SnapshotVersion, error) {
	vs, err := s.SnapshotVersions(ctx, 1<<63-1, 1)
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
	if newest > 1<<63-1 {
		newest = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT body FROM snapshot_versions WHERE version <= $1 ORDER BY version DESC LIMIT $2`, int64(newest), limit)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.SnapshotVersion, error) {
		var body []byte
		var v hub.SnapshotVersion
		if err := row.Scan(&body); err != nil {
			return v, err
		}
		return v, json.Unmarshal(body, &v)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return out, err
}
