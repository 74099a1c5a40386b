package store

import bolt "go.etcd.io/bbolt"

// Short names for bbolt types in tests.
type (
	txT     = bolt.Tx
	bucketT = bolt.Bucket
)
