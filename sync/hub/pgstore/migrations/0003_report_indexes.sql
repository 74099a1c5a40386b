-- 0003: the indexes of the compliance report's queries (sync/hub/pgstore/
-- report.go; docs/reports.md has each query's plan and cost). Every one is
-- made on each day partition (and on partitions made later, when they are
-- attached). Decision 4 is an undo, 2 a deny; status 1 is red, 2 yellow.
--
-- On a large live database run these per partition with CREATE INDEX
-- CONCURRENTLY first (PostgreSQL cannot build an index on a partitioned
-- table concurrently); this step then only attaches them.

-- The idle list and the discipline ranking: a venue's days, newest first,
-- answered from the index alone (an undone visit is told by its id, the
-- window's UTC bound by at).
CREATE INDEX visits_venue_scans ON visits (venue, day) INCLUDE (decision, at, id);

-- Undos of a window: which visits no longer count. Undos are rare.
CREATE INDEX visits_undos ON visits (day) INCLUDE (undoes, at) WHERE decision = 4;

-- Denials of a day by status and first reason.
CREATE INDEX visits_denied ON visits (day, venue) INCLUDE (status, reasons, at, id) WHERE decision = 2;

-- Red and yellow attempts of a day, with distinct subjects.
CREATE INDEX visits_attempts ON visits (day, venue) INCLUDE (status, subject, at, id)
    WHERE status IN (1, 2) AND subject IS NOT NULL AND decision <> 4;
