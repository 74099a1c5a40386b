package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	bolt "go.etcd.io/bbolt"
)

// CreateEnrollment implements hub.Storage.
func (s *Store) CreateEnrollment(ctx context.Context, e hub.Enrollment) error {
	val, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.control(ctx, true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketEnrollments)
		if err != nil {
			return err
		}
		if b.Get(e.Token[:]) != nil {
			return fmt.Errorf("enrollment token: %w", hub.ErrExists)
		}
		return b.Put(e.Token[:], val)
	})
}

// RedeemEnrollment implements hub.Storage. The check and the spend are one
// bbolt Update, and bbolt has one writer, so a token is spent once.
func (s *Store) RedeemEnrollment(ctx context.Context, token hub.TokenHash, k hub.Kiosk) (hub.Kiosk, error) {
	err := s.control(ctx, true, func(tx *bolt.Tx) error {
		eb, err := tx.CreateBucketIfNotExists(bucketEnrollments)
		if err != nil {
			return err
		}
		kb, err := tx.CreateBucketIfNotExists(bucketKiosks)
		if err != nil {
			return err
		}
		raw := eb.Get(token[:])
		if raw == nil {
			return hub.ErrTokenUnknown
		}
		var e hub.Enrollment
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("enrollment record: %w", err)
		}
		switch {
		case !e.RedeemedAt.IsZero():
			return hub.ErrTokenUsed
		case !k.EnrolledAt.Before(e.ExpiresAt):
			return hub.ErrTokenExpired
		}
		if kb.Get([]byte(k.ID)) != nil {
			return fmt.Errorf("kiosk %s: %w", k.ID, hub.ErrExists)
		}
		k.Venue, k.Door, k.Direction = e.Venue, e.Door, e.Direction
		e.RedeemedAt, e.Kiosk = k.EnrolledAt, k.ID
		if err := putJSON(eb, token[:], e); err != nil {
			return err
		}
		return putJSON(kb, []byte(k.ID), k)
	})
	if err != nil {
		return hub.Kiosk{}, err
	}
	return k, nil
}

// Kiosk implements hub.Storage.
func (s *Store) Kiosk(ctx context.Context, id string) (hub.Kiosk, error) {
	var k hub.Kiosk
	err := s.control(ctx, false, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketKiosks)
		var raw []byte
		if b != nil {
			raw = b.Get([]byte(id))
		}
		if raw == nil {
			return fmt.Errorf("kiosk %s: %w", id, hub.ErrNotFound)
		}
		return json.Unmarshal(raw, &k)
	})
	return k, err
}

// Kiosks implements hub.Storage.
func (s *Store) Kiosks(ctx context.Context) ([]hub.Kiosk, error) {
	var out []hub.Kiosk
	err := s.control(ctx, false, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketKiosks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, raw []byte) error {
			var k hub.Kiosk
			if err := json.Unmarshal(raw, &k); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	})
	return out, err
}

// RevokeKiosk implements hub.Storage.
func (s *Store) RevokeKiosk(ctx context.Context, id string, at time.Time) (hub.Kiosk, error) {
	var k hub.Kiosk
	err := s.control(ctx, true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketKiosks)
		if err != nil {
			return err
		}
		raw := b.Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("kiosk %s: %w", id, hub.ErrNotFound)
		}
		if err := json.Unmarshal(raw, &k); err != nil {
			return err
		}
		if k.Revoked() {
			return nil
		}
		k.RevokedAt = at
		return putJSON(b, []byte(id), k)
	})
	return k, err
}

// RecordContacts implements hub.Storage: one Update for the whole batch.
func (s *Store) RecordContacts(ctx context.Context, contacts []hub.Contact) error {
	if len(contacts) == 0 {
		return nil
	}
	return s.control(ctx, true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketKiosks)
		if err != nil {
			return err
		}
		for _, c := range contacts {
			raw := b.Get([]byte(c.Kiosk))
			if raw == nil {
				continue // revoked and deleted, or never enrolled: nothing to update
			}
			var k hub.Kiosk
			if err := json.Unmarshal(raw, &k); err != nil {
				return err
			}
			if !c.At.After(k.LastContact) {
				continue
			}
			k.LastContact = c.At
			if c.SnapshotVersion != 0 {
				k.SnapshotVersion = c.SnapshotVersion
			}
			if c.HasBacklog {
				k.Backlog = c.Backlog
			}
			if err := putJSON(b, []byte(c.Kiosk), k); err != nil {
				return err
			}
		}
		return nil
	})
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	val, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, val)
}
