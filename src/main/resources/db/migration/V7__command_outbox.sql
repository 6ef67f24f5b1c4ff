-- Commands go out through an outbox. A command commits PENDING; whoever publishes it (the request that sent it, at
-- once, or the relay of any instance, later) holds it until next_attempt_at (a lease, then the time of the retry), and
-- it becomes SENT on the broker's PUBACK. Devices get it at least once and de-duplicate by its id.
-- Safe for a rolling deploy: every column is nullable or defaulted. A row an older instance wrote has no
-- next_attempt_at and no expires_at; the relay and the time-out read those from created_at instead.
alter table command add column next_attempt_at timestamptz;
alter table command add column publish_attempts integer not null default 0;
-- When the command times out if no result has come (created_at + the time-out of the instance that took it).
alter table command add column expires_at timestamptz;

-- The relay and the time-out look at open commands only; they are few (each closes within its time-out), so a partial
-- index keeps those scans small however long the history grows.
create index command_open_idx on command (created_at) where status in ('PENDING', 'SENT');
