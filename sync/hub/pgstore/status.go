package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/doorcheck/doorcheck/sync/hub"
	"github.com/doorcheck/doorcheck/sync/wire"
	"github.com/jackc/pgx/v5"
)

// importLock is the advisory lock key that serialises imports across hub
// instances: held by an import's transaction, released by its commit,
// rollback or lost connection.
const importLock = 0x646f6f72696d70 // "doorimp"

// importStatementTimeout bounds each statement of an import (the pool's
// default, 30 s, is for requests; a 20-million-row load takes minutes).
const importStatementTimeout = time.Hour

// BeginStatusImport implements hub.StatusStore: it opens the import's
// transaction and takes the import lock without waiting (another
// instance's import running: hub.ErrImportRunning).
func (s *Store) BeginStatusImport(ctx context.Context) (hub.StatusImport, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	imp := &statusImport{tx: tx}
	if err := imp.begin(ctx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return imp, nil
}

type statusImport struct {
	tx     pgx.Tx
	latest hub.SnapshotVersion
	have   bool
	done   bool
}

func (t *statusImport) begin(ctx context.Context) error {
	if _, err := t.tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", importStatementTimeout.Milliseconds())); err != nil {
		return err
	}
	var got bool
	if err := t.tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", int64(importLock)).Scan(&got); err != nil {
		return err
	}
	if !got {
		return fmt.Errorf("%w (through another hub instance on this database)", hub.ErrImportRunning)
	}
	var body []byte
	err := t.tx.QueryRow(ctx, "SELECT body FROM snapshot_versions ORDER BY version DESC LIMIT 1").Scan(&body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	t.have = true
	return json.Unmarshal(body, &t.latest)
}

func (t *statusImport) Latest() (hub.SnapshotVersion, error) {
	if !t.have {
		return hub.SnapshotVersion{}, fmt.Errorf("latest snapshot: %w", hub.ErrNotFound)
	}
	return t.latest, nil
}

// Load implements hub.StatusImport. Without a delta the rows are replaced
// (TRUNCATE, then COPY straight into status_rows). With one, the list is
// COPYed into a temporary staging table and compared with status_rows by
// one full join on the subject: the rows it yields are the delta, stored
// in status_changes and then applied to status_rows (delete the removed,
// upsert the put). Either way nothing is visible before Publish commits.
func (t *statusImport) Load(ctx context.Context, version uint64, entries iter.Seq[wire.Entry], delta bool) (uint64, error) {
	v := int64(version)
	if !delta {
		if _, err := t.tx.Exec(ctx, "TRUNCATE status_rows"); err != nil {
			return 0, err
		}
		src := newEntrySource(entries, v)
		defer src.stop()
		if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{"status_rows"}, []string{"subject", "status", "until", "version"}, src); err != nil {
			return 0, fmt.Errorf("copy into status_rows: %w", err)
		}
		return 0, nil
	}
	if _, err := t.tx.Exec(ctx, `CREATE TEMP TABLE status_in (subject bytea NOT NULL, status smallint NOT NULL, until timestamptz) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	src := newEntrySource(entries, -1)
	defer src.stop()
	if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{"status_in"}, []string{"subject", "status", "until"}, src); err != nil {
		return 0, fmt.Errorf("copy into the staging table: %w", err)
	}
	// The planner needs the staging table's size to pick its join. (No
	// status_changes of this version can exist: it would be committed,
	// and this version is one above the latest committed.)
	if _, err := t.tx.Exec(ctx, "ANALYZE status_in"); err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO status_changes (version, subject, op, status, until)
		SELECT $1, coalesce(n.subject, o.subject),
			CASE WHEN n.subject IS NULL THEN 2 ELSE 1 END, n.status, n.until
		FROM status_in n FULL JOIN status_rows o ON o.subject = n.subject
		WHERE n.subject IS NULL OR o.subject IS NULL
			OR n.status <> o.status OR n.until IS DISTINCT FROM o.until`, v)
	if err != nil {
		return 0, fmt.Errorf("the delta: %w", err)
	}
	changes := uint64(tag.RowsAffected())
	if _, err := t.tx.Exec(ctx, `DELETE FROM status_rows o USING status_changes c
		WHERE c.version = $1 AND c.op = 2 AND o.subject = c.subject`, v); err != nil {
		return 0, fmt.Errorf("apply the delta: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO status_rows (subject, status, until, version)
		SELECT subject, status, until, version FROM status_changes WHERE version = $1 AND op = 1
		ON CONFLICT (subject) DO UPDATE SET status = excluded.status, until = excluded.until, version = excluded.version`, v); err != nil {
		return 0, fmt.Errorf("apply the delta: %w", err)
	}
	if _, err := t.tx.Exec(ctx, "DROP TABLE status_in"); err != nil {
		return 0, err
	}
	return changes, nil
}

// Changes implements hub.StatusImport.
func (t *statusImport) Changes(ctx context.Context, version uint64, fn func(wire.Change) error) error {
	rows, err := t.tx.Query(ctx, `SELECT subject, op, status, until FROM status_changes WHERE version = $1 ORDER BY subject`, int64(version))
	if err != nil {
		return err
	}
	defer rows.Close()
	var subject []byte
	var op int16
	var status *int16
	var until *time.Time
	for rows.Next() {
		if err := rows.Scan(&subject, &op, &status, &until); err != nil {
			return err
		}
		if len(subject) != wire.SubjectKeySize {
			return fmt.Errorf("status_changes: a subject of %d bytes", len(subject))
		}
		c := wire.Change{Op: wire.Op(op)}
		copy(c.Entry.Subject[:], subject)
		if c.Op == wire.OpPut {
			if status == nil {
				return errors.New("status_changes: a put without a status")
			}
			c.Entry.Status = wire.Status(*status)
			c.Entry.Until = untilOf(until)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Publish implements hub.StatusImport.
func (t *statusImport) Publish(ctx context.Context, v hub.SnapshotVersion) error {
	if err := publishVersion(ctx, t.tx, v); err != nil {
		return err
	}
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.done = true
	return nil
}

// Rollback implements hub.StatusImport.
func (t *statusImport) Rollback(ctx context.Context) error {
	if t.done {
		return nil
	}
	t.done = true
	err := t.tx.Rollback(ctx)
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

// entrySource feeds entries to CopyFrom; version < 0 leaves out the
// version column (the staging table has none). Values reuses its slice
// and buffer: CopyFrom encodes each row before asking for the next.
type entrySource struct {
	next    func() (wire.Entry, bool)
	stop    func()
	version int64
	row     []any
	subject [wire.SubjectKeySize]byte
}

func newEntrySource(entries iter.Seq[wire.Entry], version int64) *entrySource {
	next, stop := iter.Pull(entries)
	s := &entrySource{next: next, stop: stop, version: version}
	if version < 0 {
		s.row = make([]any, 3)
	} else {
		s.row = make([]any, 4)
		s.row[3] = version
	}
	return s
}

func (s *entrySource) Next() bool {
	e, ok := s.next()
	if !ok {
		return false
	}
	s.subject = e.Subject
	s.row[0] = s.subject[:]
	s.row[1] = int16(e.Status)
	if e.Until == 0 {
		s.row[2] = nil
	} else {
		s.row[2] = time.Unix(int64(e.Until), 0).UTC()
	}
	return true
}

func (s *entrySource) Values() ([]any, error) { return s.row, nil }
func (s *entrySource) Err() error             { return nil }

func untilOf(t *time.Time) uint32 {
	if t == nil {
		return 0
	}
	return uint32(t.Unix())
}

var _ hub.StatusStore = (*Store)(nil)
