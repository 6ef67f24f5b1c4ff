-- Alarm rules and their durable timers (issue 20, docs/alarms.md). Only new tables: the previous release never sees
-- them, so the migration is safe while it serves.

-- A rule: when an appliance of one of these types has reported `attribute` equal to `expected` (top-level key of its
-- classic shadow's reported state) for `duration_seconds` without a break, an alarm is raised; it clears when the
-- condition ends. Operators manage rules through the API (Cedar action MANAGE_ALARM_RULES).
create table alarm_rule (
    id               uuid primary key default gen_random_uuid(),
    name             text not null unique check (length(btrim(name)) between 1 and 100),
    appliance_types  text[] not null check (cardinality(appliance_types) > 0
                         and appliance_types <@ array['MINI_OVEN', 'SENSE', 'COOKER', 'FRIDGE', 'GENERIC']),
    attribute        text not null check (attribute ~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'),
    expected         jsonb not null,
    duration_seconds integer not null check (duration_seconds between 1 and 604800),
    enabled          boolean not null default true,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

-- The seed's rule (seed 001): a fridge door open for more than 10 minutes.
insert into alarm_rule (name, appliance_types, attribute, expected, duration_seconds)
values ('Fridge door left open', array['FRIDGE'], 'DoorOpened', 'true'::jsonb, 600);

-- One row per rule and appliance whose condition holds now: pending (raised_at null) until due_at, then open. The row
-- is written in the transaction of the shadow update that made the condition true and deleted in the one that ended
-- it, so a timer survives restarts and is seen by every instance; the scheduler claims due rows with
-- `for update skip locked`, so one instance raises each.
create table alarm (
    id           uuid primary key default gen_random_uuid(),
    rule_id      uuid not null references alarm_rule (id) on delete cascade,
    appliance_id uuid not null references appliance (id) on delete cascade,
    since        timestamptz not null default now(),
    due_at       timestamptz not null,
    raised_at    timestamptz,
    unique (rule_id, appliance_id)
);
create index alarm_appliance_idx on alarm (appliance_id);
-- The scheduler's scan: pending timers by deadline (few: only appliances in an alarm condition right now).
create index alarm_pending_due_idx on alarm (due_at) where raised_at is null;

-- The outbox of alarm messages to devices (appliances/{thing}/alarms), written in the raising or clearing
-- transaction and deleted on the broker's PUBACK: at least once, de-duplicated by the device on message_id.
create table alarm_message (
    id              uuid primary key default gen_random_uuid(),
    thing_name      text not null,
    payload         jsonb not null,
    created_at      timestamptz not null default now(),
    next_attempt_at timestamptz not null default now(),
    attempts        integer not null default 0
);
create index alarm_message_due_idx on alarm_message (next_attempt_at);
