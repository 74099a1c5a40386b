-- 0001: the hub's tables. See sync/hub/pgstore/doc.go for why visits are
-- keyed and partitioned as they are.

CREATE TABLE snapshot_versions (
    version    bigint PRIMARY KEY CHECK (version > 0),
    created_at timestamptz NOT NULL,
    -- The whole hub.SnapshotVersion (file refs, counts) as the hub wrote it.
    body       jsonb NOT NULL
);

CREATE TABLE enrollments (
    token       bytea PRIMARY KEY,          -- SHA-256 of the token, never the token
    venue       text NOT NULL,
    door        text NOT NULL,
    direction   smallint NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    redeemed_at timestamptz,
    kiosk       text
);

CREATE TABLE kiosks (
    id               text PRIMARY KEY,
    venue            text NOT NULL,
    door             text NOT NULL,
    direction        smallint NOT NULL,
    device           text NOT NULL DEFAULT '',
    secret_hash      bytea NOT NULL,
    enrolled_at      timestamptz NOT NULL,
    revoked_at       timestamptz,           -- the revocation: set once, never cleared
    last_contact     timestamptz,
    snapshot_version bigint NOT NULL DEFAULT 0,
    backlog          bigint NOT NULL DEFAULT 0
);

-- Visits, partitioned by day (UTC) of the kiosk's recorded time. The key is
-- (id, at): a unique constraint on a partitioned table must hold the
-- partition column, and at is fixed across retries, so (id, at) is as
-- unique as id for every upload of one visit.
CREATE TABLE visits (
    id               uuid NOT NULL,
    at               timestamptz NOT NULL,  -- the kiosk's time, to the microsecond
    at_ns            smallint NOT NULL DEFAULT 0 CHECK (at_ns BETWEEN 0 AND 999), -- and the nanoseconds past it
    day              date NOT NULL,         -- venue-local day the visit counts for
    kiosk            text NOT NULL,
    venue            text NOT NULL,
    door             text NOT NULL,
    direction        smallint NOT NULL,
    kind             smallint NOT NULL,
    subject          bytea,                 -- keyed hash; NULL when not verified
    status           smallint NOT NULL,
    decision         smallint NOT NULL,
    reasons          text[] NOT NULL DEFAULT '{}',
    snapshot_version bigint NOT NULL DEFAULT 0,
    undoes           uuid,
    conflict         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);

-- Nothing is ever refused for its date: a visit outside every day
-- partition lands here (and is moved out when its day's partition is made).
CREATE TABLE visits_default PARTITION OF visits DEFAULT;

-- Range reads (Storage.Visits) in (at, id) order.
CREATE INDEX visits_at ON visits (at, at_ns, id);
-- The conflict query: a subject's last admitted movement at a venue on a day.
CREATE INDEX visits_presence ON visits (venue, subject, day, at, at_ns, id) INCLUDE (door, direction)
    WHERE subject IS NOT NULL AND decision IN (1, 5);
-- Storage.Conflicts.
CREATE INDEX visits_conflicts ON visits (at, at_ns, id) WHERE conflict;
-- Reports per venue and day.
CREATE INDEX visits_venue_day ON visits (day, venue);
