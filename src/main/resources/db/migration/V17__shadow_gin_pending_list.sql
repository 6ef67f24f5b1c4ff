-- Device ingestion (issue 19): V14's GIN indexes on device_state keep new entries in a pending list (fastupdate) and
-- merge it into the index when it outgrows gin_pending_list_limit (4 MB by default). At ingestion's rate that merge
-- falls to the writing transaction every few seconds and makes it hundreds of milliseconds long; ingestion applies one
-- batch at a time, so every message queued behind it waits too. A 512 kB list is merged more often in shorter steps:
-- the slowest transactions went from about 400 ms to about 120 ms at the same throughput (docs/fleet.md, "Indexes");
-- fleet search reads the pending list in full on every query, so a shorter one also serves it. fastupdate stays on:
-- without it each update paid the index in full (throughput halved in the same measurement).
-- Setting the parameter rewrites nothing and takes an instant, but it holds an ACCESS EXCLUSIVE lock on the index
-- (PostgreSQL 15) until Flyway commits: it waits for searches and shadow updates that use the index, and updates
-- queue behind it meanwhile; the migration's lock_timeout (5 s) bounds that wait, and the statement is safe to retry.
alter index device_state_reported_path_idx set (gin_pending_list_limit = 512);
alter index device_state_desired_path_idx set (gin_pending_list_limit = 512);
