package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/visit"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// uniqueViolation is SQLSTATE 23505.
const uniqueViolation = "23505"

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}

// CreateEnrollment implements hub.Storage.
func (s *Store) CreateEnrollment(ctx context.Context, e hub.Enrollment) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO enrollments (token, venue, door, direction, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, e.Token[:], e.Venue, e.Door, int16(e.Direction), e.CreatedAt, e.ExpiresAt)
	if isUnique(err) {
		return fmt.Errorf("enrollment token: %w", hub.ErrExists)
	}
	return err
}

// RedeemEnrollment implements hub.Storage. The token's row is locked (FOR
// UPDATE) for the check and the spend, so of two redeems, through one hub
// instance or two, the second waits and then finds it spent.
func (s *Store) RedeemEnrollment(ctx context.Context, token hub.TokenHash, k hub.Kiosk) (hub.Kiosk, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var dir int16
		var expires time.Time
		var redeemed *time.Time
		err := tx.QueryRow(ctx, `SELECT venue, door, direction, expires_at, redeemed_at FROM enrollments WHERE token = $1 FOR UPDATE`,
			token[:]).Scan(&k.Venue, &k.Door, &dir, &expires, &redeemed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return hub.ErrTokenUnknown
		case err != nil:
			return err
		case redeemed != nil:
			return hub.ErrTokenUsed
		case !k.EnrolledAt.Before(expires):
			return hub.ErrTokenExpired
		}
		k.Direction = visit.Direction(dir)
		_, err = tx.Exec(ctx, `INSERT INTO kiosks (id, venue, door, direction, device, secret_hash, enrolled_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, k.Venue, k.Door, dir, k.Device, k.SecretHash[:], k.EnrolledAt)
		if isUnique(err) {
			return fmt.Errorf("kiosk %s: %w", k.ID, hub.ErrExists)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE enrollments SET redeemed_at = $2, kiosk = $3 WHERE token = $1`, token[:], k.EnrolledAt, k.ID)
		return err
	})
	if err != nil {
		return hub.Kiosk{}, err
	}
	return k, nil
}

const kioskColumns = `id, venue, door, direction, device, secret_hash, enrolled_at, revoked_at, last_contact, snapshot_version, backlog`

func scanKiosk(row pgx.Row) (hub.Kiosk, error) {
	var k hub.Kiosk
	var dir int16
	var secret []byte
	var revoked, contact *time.Time
	var version, backlog int64
	if err := row.Scan(&k.ID, &k.Venue, &k.Door, &dir, &k.Device, &secret, &k.EnrolledAt, &revoked, &contact, &version, &backlog); err != nil {
		return k, err
	}
	k.Direction = visit.Direction(dir)
	copy(k.SecretHash[:], secret)
	k.EnrolledAt = k.EnrolledAt.UTC()
	if revoked != nil {
		k.RevokedAt = revoked.UTC()
	}
	if contact != nil {
		k.LastContact = contact.UTC()
	}
	k.SnapshotVersion, k.Backlog = uint64(version), uint64(backlog)
	return k, nil
}

// Kiosk implements hub.Storage. It reads the row on every call (no cache),
// so a revocation made through any instance is seen by the next request.
func (s *Store) Kiosk(ctx context.Context, id string) (hub.Kiosk, error) {
	k, err := scanKiosk(s.pool.QueryRow(ctx, `SELECT `+kioskColumns+` FROM kiosks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return hub.Kiosk{}, fmt.Errorf("kiosk %s: %w", id, hub.ErrNotFound)
	}
	return k, err
}

// Kiosks implements hub.Storage.
func (s *Store) Kiosks(ctx context.Context) ([]hub.Kiosk, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+kioskColumns+` FROM kiosks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Kiosk, error) { return scanKiosk(row) })
}

// RevokeKiosk implements hub.Storage: coalesce keeps the first time.
func (s *Store) RevokeKiosk(ctx context.Context, id string, at time.Time) (hub.Kiosk, error) {
	k, err := scanKiosk(s.pool.QueryRow(ctx, `UPDATE kiosks SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING `+kioskColumns, id, at))
	if errors.Is(err, pgx.ErrNoRows) {
		return hub.Kiosk{}, fmt.Errorf("kiosk %s: %w", id, hub.ErrNotFound)
	}
	return k, err
}

// RecordContacts implements hub.Storage: one transaction, one round trip.
// The updates go in kiosk id order (and in the given order for one kiosk)
// so that two instances writing overlapping batches lock rows in the same
// order and cannot deadlock.
func (s *Store) RecordContacts(ctx context.Context, contacts []hub.Contact) error {
	if len(contacts) == 0 {
		return nil
	}
	cs := append([]hub.Contact(nil), contacts...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Kiosk < cs[j].Kiosk })
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, c := range cs {
			b.Queue(`UPDATE kiosks SET last_contact = $2,
				snapshot_version = CASE WHEN $3::bigint <> 0 THEN $3::bigint ELSE snapshot_version END,
				backlog = CASE WHEN $5::boolean THEN $4::bigint ELSE backlog END
				WHERE id = $1 AND (last_contact IS NULL OR last_contact < $2::timestamptz)`,
				c.Kiosk, c.At, int64(c.SnapshotVersion), int64(c.Backlog), c.HasBacklog)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
}
