-- Catch-up cursors are change_log sequence numbers. Retention deletes old entries; the horizon remembers the highest
-- sequence deleted, so a cursor below it is known to have missed something (CURSOR_EXPIRED) rather than silently
-- skipping what was deleted.
create table change_log_horizon (
    singleton boolean primary key default true check (singleton),
    seq       bigint not null default 0
);
insert into change_log_horizon default values;

-- A share that reaches its expiry time is announced once (SHARE_EXPIRED), by whichever instance gets there first.
alter table share add column expiry_announced_at timestamptz;
create index share_expiry_due_idx on share (expires_at)
    where revoked_at is null and expires_at is not null and expiry_announced_at is null;
