-- The app-facing view topics (view/things/..., view/households/...) are published from the change log by one instance
-- at a time. This row is where that publisher has got to, and who holds it: an instance takes the row as a lease
-- (holder, lease_until), renews it with every page it publishes, and moves the position only after the broker has
-- acknowledged that page, so a publisher that dies leaves a position from which the next one repeats at most a page.
-- A null position means "not started": the first holder starts at the head of the log, so a deployment does not
-- replay the whole retained log to the broker.
create table view_relay_cursor (
    singleton   boolean primary key default true check (singleton),
    tx_id       xid8,
    seq         bigint,
    holder      text,
    lease_until timestamptz not null default '-infinity',
    check ((tx_id is null) = (seq is null))
);
insert into view_relay_cursor default values;
