-- Dynamic fleet groups (docs/fleet.md, "Dynamic groups"): an operator's saved fleet query whose members follow the
-- live state. New tables only: the previous release never reads them.

create table fleet_group (
    id          uuid primary key default gen_random_uuid(),
    name        text not null check (length(name) between 1 and 100),
    -- The FleetQuery as JSON, compiled again by FleetPredicates wherever membership is evaluated.
    query       jsonb not null,
    -- The types the saving operator could search when saving: members are only ever of these.
    type_names  text[] not null,
    created_by  uuid not null references app_user (id),
    saved_at    timestamptz not null default now(),
    -- Deleting marks the group first and removes it (cascading to members and events) a while later: a shadow update
    -- that read the group before the mark may still add a member, and must not fail for it. Marking takes no lock
    -- that every shadow update would have to share (a row lock on each group in every such transaction).
    deleted_at  timestamptz
);
create unique index fleet_group_name_idx on fleet_group (name) where deleted_at is null;

create table fleet_group_member (
    group_id      uuid not null references fleet_group (id) on delete cascade,
    appliance_id  uuid not null references appliance (id) on delete cascade,
    primary key (group_id, appliance_id)
);
-- Deleting an appliance cascades here; this finds its rows without scanning every group.
create index fleet_group_member_appliance_idx on fleet_group_member (appliance_id);

-- Appliances entering and leaving a group, for fleetGroupChanged. Read like change_log: in (tx_id, position) order
-- and only below the oldest running transaction, so a reader never skips a row that commits later.
create table fleet_group_event (
    position      bigserial,
    tx_id         xid8 not null default pg_current_xact_id(),
    group_id      uuid not null references fleet_group (id) on delete cascade,
    appliance_id  uuid not null references appliance (id) on delete cascade,
    entered       boolean not null,
    at            timestamptz not null default now(),
    primary key (tx_id, position)
);
create index fleet_group_event_group_idx on fleet_group_event (group_id, tx_id, position);
create index fleet_group_event_appliance_idx on fleet_group_event (appliance_id);
