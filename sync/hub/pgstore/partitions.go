package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// partitionLock serialises partition maintenance across hub instances.
const partitionLock = 0x646f6f72706172 // "doorpar"

// partitionName is the day partition of a UTC day.
func partitionName(day time.Time) string { return "visits_p" + day.Format("20060102") }

// EnsurePartitions makes the day partitions (UTC days) from the day of
// from through the day of to that do not exist yet, moving any rows the
// default partition holds for a day into its new partition (PostgreSQL
// refuses to attach a partition whose rows sit in the default one). Every
// instance may call it; an advisory lock lets one work at a time.
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) (made []string, err error) {
	first := from.UTC().Truncate(24 * time.Hour)
	for day := first; !day.After(to.UTC()); day = day.AddDate(0, 0, 1) {
		name := partitionName(day)
		created := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(partitionLock)); err != nil {
				return err
			}
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&exists); err != nil || exists {
				return err
			}
			lo, hi := day.Format(time.RFC3339), day.AddDate(0, 0, 1).Format(time.RFC3339)
			id := pgx.Identifier{name}.Sanitize()
			for _, sql := range []string{
				"CREATE TABLE " + id + " (LIKE visits INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
				"WITH moved AS (DELETE FROM visits_default WHERE at >= '" + lo + "' AND at < '" + hi + "' RETURNING *) INSERT INTO " + id + " SELECT * FROM moved",
				"ALTER TABLE visits ATTACH PARTITION " + id + " FOR VALUES FROM ('" + lo + "') TO ('" + hi + "')",
			} {
				if _, err := tx.Exec(ctx, sql); err != nil {
					return err
				}
			}
			created = true
			return nil
		})
		if err != nil {
			return made, fmt.Errorf("partition %s: %w", name, err)
		}
		if created {
			made = append(made, name)
		}
	}
	return made, nil
}

// DropPartitions drops the day partitions wholly before the UTC day of
// before, and deletes the default partition's rows before it: retention
// as a cheap metadata change, not a mass DELETE.
func (s *Store) DropPartitions(ctx context.Context, before time.Time) (dropped []string, err error) {
	cutoff := before.UTC().Truncate(24 * time.Hour)
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'visits'::regclass AND c.relname ~ '^visits_p[0-9]{8}$' ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		day, err := time.Parse("20060102", name[len("visits_p"):])
		if err != nil || day.AddDate(0, 0, 1).After(cutoff) {
			continue
		}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(partitionLock)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{name}.Sanitize())
			return err
		})
		if err != nil {
			return dropped, fmt.Errorf("drop %s: %w", name, err)
		}
		dropped = append(dropped, name)
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM visits_default WHERE at < $1", cutoff); err != nil {
		return dropped, err
	}
	return dropped, nil
}

// Maintain makes the partitions for today and ahead days, and drops
// those past retention (zero: keep everything).
func (s *Store) Maintain(ctx context.Context, now time.Time, ahead int, retention time.Duration) error {
	if _, err := s.EnsurePartitions(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, ahead)); err != nil {
		return err
	}
	if retention > 0 {
		if _, err := s.DropPartitions(ctx, now.Add(-retention)); err != nil {
			return err
		}
	}
	return nil
}
