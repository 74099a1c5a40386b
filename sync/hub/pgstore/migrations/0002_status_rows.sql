-- 0002: the status list as rows (doorcheck-hub import), and the delta of
-- each version. See sync/hub/pgstore/status.go.

-- The current list: one row per listed subject (red, yellow or green;
-- blue subjects are absent, as in the snapshot files).
CREATE TABLE status_rows (
    subject bytea PRIMARY KEY CHECK (length(subject) = 16), -- keyed hash of the IIN (wire.SubjectKey), never the IIN
    status  smallint NOT NULL CHECK (status IN (1, 2, 3)),   -- wire.Status: 1 red, 2 yellow, 3 green
    until   timestamptz,                                     -- end of the status (whole seconds); NULL: no set end
    version bigint NOT NULL                                  -- the snapshot version that last set the row
);

-- What each version changed from the one before: op 1 puts the subject's
-- new row (added or changed), op 2 removes it (it became blue). The first
-- version, and a version made with a new subject-hash key, have none.
CREATE TABLE status_changes (
    version bigint NOT NULL,
    subject bytea NOT NULL,
    op      smallint NOT NULL CHECK (op IN (1, 2)),          -- wire.Op: 1 put, 2 remove
    status  smallint CHECK (status IN (1, 2, 3)),            -- NULL for a remove
    until   timestamptz,
    PRIMARY KEY (version, subject)
);
