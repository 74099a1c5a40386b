// Package pgstore is the hub's storage on PostgreSQL (pgx/v5, pgxpool):
// hub.Storage over one database that any number of stateless hub
// instances share. The bbolt backend (sync/hub/boltstore) stays the
// embedded default for one venue chain; this one is for a country.
//
// Schema. Migrations are embedded (migrations/NNNN_*.sql, one per step) and
// applied by Migrate (doorcheck-hub migrate), recorded in schema_migrations;
// serve only checks the version (CheckSchema), so an upgrade is one
// operator's act and not a race between instances.
//
// Visits are partitioned by day (declarative range partitions on at, UTC
// days) so that retention drops a partition instead of deleting rows, and
// a day's reports read only that day's partitions. The partition column is
// the kiosk's recorded time (at), not the hub's arrival time, because the
// idempotency key must contain it: PostgreSQL enforces a unique constraint
// on a partitioned table per partition, so the key must hold the partition
// column, and only a value fixed across retries keeps "one row per visit
// id" true. A visit retried a day later carries the same id and the same
// at, lands in the same partition, and hits the key (id, at); an arrival
// time would send the retry to another partition, where the key cannot
// see the first copy. A default partition holds visits outside every day
// partition (a kiosk clock years off, a day not made yet), so nothing is
// refused for its date; EnsurePartitions moves such rows into a day's
// partition when it makes it.
//
// Ingest. A batch is COPYed into a per-connection temporary table and put
// into visits by one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING,
// whose returned ids are the new visits (the rest were duplicates). In the
// same pipelined round trip, before the INSERT, one query looks up, for
// each of the batch's admitted entries only, its subject's previous stored
// admitted movement at the venue that day through a partial index, never
// scanning the table; the conflict rule is then applied in Go to those and
// the batch's own new rows (an UPDATE flags the conflicts, if any). Batches
// touching the same venue and day are serialised by an advisory lock so
// two hub instances ingesting two doors of one venue at once see each
// other's rows.
//
// "Previous" is by recorded time (at, then id), not arrival order: a
// kiosk's late upload is judged against what happened before it at the
// venue. A late upload does not re-judge visits stored before it.
//
// Snapshots (status.go). The status list is status_rows, keyed by subject
// hash; each version's delta is status_changes. An import (hub.Import
// through hub.StatusStore) runs in one transaction under an advisory lock:
// COPY (straight into status_rows for a first version or a new subject
// key; else into a temporary staging table, whose full join with
// status_rows on the subject is the delta, stored and applied), then the
// snapshot files are written and renamed into the artifacts directory,
// and only then is the version row inserted and everything committed.
// Files written for a transaction that never commits are named by a
// version no row holds: never served, replaced by the next import.
package pgstore
