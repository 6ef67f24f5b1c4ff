-- The change log is read in (tx_id, seq) order, and only below the oldest transaction still running: every
-- transaction with a smaller id has ended, so that part of the log is final and a reader never skips an entry that
-- commits later. (Sequence order alone is not safe: a transaction that got its id later can insert, and so take a
-- sequence number, earlier than one that commits first.) Cursors are (tx_id, seq) positions.
drop index change_log_user_idx;
drop index change_log_appliance_idx;
drop index change_log_household_idx;
create index change_log_order_idx on change_log (tx_id, seq);
create index change_log_user_idx on change_log (user_id, tx_id, seq) where user_id is not null;
create index change_log_appliance_idx on change_log (appliance_id, tx_id, seq) where appliance_id is not null;
create index change_log_household_idx on change_log (household_id, tx_id, seq) where household_id is not null;

-- Retention deletes old entries; the horizon remembers the last position deleted, so a cursor before it is known to
-- have missed something (CURSOR_EXPIRED) rather than silently skipping what was deleted.
create table change_log_horizon (
    singleton boolean primary key default true check (singleton),
    tx_id     xid8 not null default '0'::xid8,
    seq       bigint not null default 0
);
insert into change_log_horizon default values;

-- A share that reaches its expiry time is announced once (SHARE_EXPIRED), by whichever instance gets there first.
alter table share add column expiry_announced_at timestamptz;
create index share_expiry_due_idx on share (expires_at)
    where revoked_at is null and expires_at is not null and expiry_announced_at is null;
