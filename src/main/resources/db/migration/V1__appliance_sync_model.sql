-- The whole model of appliance-sync. Constraints live here as well as in the services: the database is the
-- last line of defence when two requests race or a bug slips through.

-- People, identified by their OIDC subject (the Cognito user pool `sub`).
create table app_user (
    id                  uuid primary key default gen_random_uuid(),
    subject             text not null unique check (length(subject) between 1 and 255),
    username            text check (length(username) <= 255),
    email               text check (email = lower(email) and length(email) <= 320 and email like '%_@_%'),
    email_verified      boolean not null default false,
    -- The Cognito identity pool identity of this user: IoT policies are attached to it, not to the pool user.
    cognito_identity_id text unique,
    created_at          timestamptz not null default now(),
    last_seen_at        timestamptz not null default now()
);
-- Shares are addressed by email: an email may belong to one verified account only, or a share could land on the
-- wrong person.
create unique index app_user_verified_email_uq on app_user (email) where email_verified;

-- A household groups appliances; its thing-name prefix lets one IoT policy statement cover all of them (seed 004).
-- Prefixes are fixed-length and thing names continue with '-', so no prefix wildcard can reach another household.
create table household (
    id           uuid primary key default gen_random_uuid(),
    name         text not null check (length(btrim(name)) between 1 and 100),
    thing_prefix text not null unique check (thing_prefix ~ '^[a-z0-9]{8}$'),
    owner_id     uuid not null references app_user (id),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);
create index household_owner_idx on household (owner_id);

create table appliance (
    id               uuid primary key default gen_random_uuid(),
    serial_number    text not null unique check (serial_number ~ '^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$'),
    appliance_type   text not null check (appliance_type in ('MINI_OVEN', 'SENSE', 'COOKER', 'FRIDGE', 'GENERIC')),
    thing_name       text not null unique check (thing_name ~ '^[A-Za-z0-9:_-]{1,128}$'),
    name             text check (length(btrim(name)) between 1 and 100),
    firmware_version text check (length(firmware_version) <= 64),
    -- SHA-256 (hex) of the claim code printed on the appliance; the code itself is never stored.
    claim_code_hash  text not null check (claim_code_hash ~ '^[0-9a-f]{64}$'),
    owner_id         uuid references app_user (id),
    household_id     uuid references household (id) on delete set null,
    provisioned_at   timestamptz not null default now(),
    claimed_at       timestamptz,
    updated_at       timestamptz not null default now(),
    -- Optimistic locking for concurrent claim/transfer/remove.
    version          bigint not null default 0,
    check ((owner_id is null) = (claimed_at is null)),
    check (household_id is null or owner_id is not null)
);
create index appliance_owner_idx on appliance (owner_id);
create index appliance_household_idx on appliance (household_id);

-- Failed and successful claims, for rate-limiting repeated wrong claim codes per user and per appliance.
create table claim_attempt (
    id            bigint generated always as identity primary key,
    user_id       uuid not null references app_user (id) on delete cascade,
    serial_number text not null,
    succeeded     boolean not null,
    attempted_at  timestamptz not null default now()
);
create index claim_attempt_user_idx on claim_attempt (user_id, attempted_at);
create index claim_attempt_serial_idx on claim_attempt (serial_number, attempted_at);

-- A grant of a role (or an explicit capability set) on one appliance or on a whole household.
-- Household shares are how members join a household: they hold their role on every appliance in it.
create table share (
    id                    uuid primary key default gen_random_uuid(),
    appliance_id          uuid references appliance (id) on delete cascade,
    household_id          uuid references household (id) on delete cascade,
    recipient_id          uuid not null references app_user (id) on delete cascade,
    role                  text not null check (role in ('ADMIN', 'FAMILY', 'GUEST')),
    -- Null: the role's capabilities. Otherwise exactly these (never more than the role allows).
    capabilities          text[] check (capabilities is null or cardinality(capabilities) between 1 and 32),
    granted_by            uuid not null references app_user (id),
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    expires_at            timestamptz,
    revoked_at            timestamptz,
    revoked_by            uuid references app_user (id),
    revoke_reason         text check (revoke_reason in ('REVOKED', 'LEFT', 'TRANSFERRED', 'FACTORY_RESET', 'REMOVED')),
    -- The recipient's cloud-sync generation this share needs; IN_SYNC once that generation is applied.
    cloud_sync_generation bigint not null default 0,
    check ((appliance_id is null) <> (household_id is null)),
    check (role <> 'ADMIN' or household_id is not null),
    check (expires_at is null or expires_at > created_at),
    check ((revoked_at is null) = (revoke_reason is null))
);
create unique index share_active_appliance_uq on share (appliance_id, recipient_id)
    where revoked_at is null and appliance_id is not null;
create unique index share_active_household_uq on share (household_id, recipient_id)
    where revoked_at is null and household_id is not null;
create index share_recipient_idx on share (recipient_id) where revoked_at is null;

-- A share addressed to an email that has no verified account yet; it becomes a share on first sign-in.
create table invitation (
    id           uuid primary key default gen_random_uuid(),
    appliance_id uuid references appliance (id) on delete cascade,
    household_id uuid references household (id) on delete cascade,
    email        text not null check (email = lower(email) and length(email) <= 320 and email like '%_@_%'),
    role         text not null check (role in ('ADMIN', 'FAMILY', 'GUEST')),
    capabilities text[] check (capabilities is null or cardinality(capabilities) between 1 and 32),
    invited_by   uuid not null references app_user (id),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    -- When the resulting share will expire.
    expires_at   timestamptz,
    accepted_at  timestamptz,
    share_id     uuid references share (id) on delete set null,
    cancelled_at timestamptz,
    check ((appliance_id is null) <> (household_id is null)),
    check (role <> 'ADMIN' or household_id is not null),
    check (accepted_at is null or cancelled_at is null)
);
create unique index invitation_pending_appliance_uq on invitation (appliance_id, email)
    where accepted_at is null and cancelled_at is null and appliance_id is not null;
create unique index invitation_pending_household_uq on invitation (household_id, email)
    where accepted_at is null and cancelled_at is null and household_id is not null;
create index invitation_pending_email_idx on invitation (email) where accepted_at is null and cancelled_at is null;

-- Personal settings per user and appliance, synced across that user's devices.
create table preference (
    user_id      uuid not null references app_user (id) on delete cascade,
    appliance_id uuid not null references appliance (id) on delete cascade,
    settings     jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'
                                                          and octet_length(settings::text) <= 65536),
    version      bigint not null default 1 check (version >= 1),
    updated_at   timestamptz not null default now(),
    primary key (user_id, appliance_id)
);
create index preference_appliance_idx on preference (appliance_id);

-- Latest device shadow per appliance and shadow name ('' is the classic unnamed shadow). Latest-wins by version.
create table device_state (
    appliance_id   uuid not null references appliance (id) on delete cascade,
    shadow_name    text not null default '' check (length(shadow_name) <= 64),
    reported       jsonb not null default '{}'::jsonb check (jsonb_typeof(reported) = 'object'),
    desired        jsonb not null default '{}'::jsonb check (jsonb_typeof(desired) = 'object'),
    shadow_version bigint not null check (shadow_version >= 0),
    -- The device's (or IoT Core's) timestamp of this version, and when we stored it.
    reported_at    timestamptz,
    updated_at     timestamptz not null default now(),
    primary key (appliance_id, shadow_name)
);

-- Connection lifecycle from IoT Core presence events; ordered by the event's own timestamp.
create table device_presence (
    appliance_id  uuid primary key references appliance (id) on delete cascade,
    online        boolean not null,
    last_seen_at  timestamptz not null,
    event_at      timestamptz not null,
    updated_at    timestamptz not null default now()
);

-- Device events (alarms, factory reset, ...), de-duplicated by the device's event id (QoS 1 redelivers).
create table device_event (
    id           bigint generated always as identity primary key,
    appliance_id uuid not null references appliance (id) on delete cascade,
    event_id     text not null check (length(event_id) between 1 and 128),
    event_type   text not null check (event_type ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    payload      jsonb not null default '{}'::jsonb,
    occurred_at  timestamptz,
    received_at  timestamptz not null default now(),
    unique (appliance_id, event_id)
);

-- Commands sent to devices and their outcome.
create table command (
    id           uuid primary key default gen_random_uuid(),
    appliance_id uuid not null references appliance (id) on delete cascade,
    issued_by    uuid not null references app_user (id),
    command      text not null check (command ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    params       jsonb not null default '{}'::jsonb check (jsonb_typeof(params) = 'object'
                                                          and octet_length(params::text) <= 16384),
    status       text not null default 'PENDING'
                 check (status in ('PENDING', 'SENT', 'SUCCEEDED', 'FAILED', 'TIMED_OUT')),
    result       jsonb,
    error        text check (length(error) <= 2000),
    created_at   timestamptz not null default now(),
    sent_at      timestamptz,
    completed_at timestamptz,
    check ((status in ('SUCCEEDED', 'FAILED', 'TIMED_OUT')) = (completed_at is not null))
);
create index command_appliance_idx on command (appliance_id, created_at desc);

-- Every change a client may have to learn about, in one total order (seq). The real-time fan-out reads it by
-- sequence; catch-up pages it by cursor. tx_id lets a reader hold back rows whose transaction may still be
-- overtaken by a smaller, not yet committed sequence number.
create table change_log (
    seq          bigint generated always as identity primary key,
    tx_id        xid8 not null default pg_current_xact_id(),
    -- Who may see it: one user (personal events), or whoever may view the appliance / household when delivered.
    audience     text not null check (audience in ('USER', 'APPLIANCE', 'HOUSEHOLD')),
    user_id      uuid,
    appliance_id uuid,
    household_id uuid,
    type         text not null check (type ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    payload      jsonb not null,
    created_at   timestamptz not null default now(),
    check (audience <> 'USER' or user_id is not null),
    check (audience <> 'APPLIANCE' or appliance_id is not null),
    check (audience <> 'HOUSEHOLD' or household_id is not null)
);
create index change_log_user_idx on change_log (user_id, seq) where user_id is not null;
create index change_log_appliance_idx on change_log (appliance_id, seq) where appliance_id is not null;
create index change_log_household_idx on change_log (household_id, seq) where household_id is not null;
create index change_log_created_idx on change_log (created_at);

-- Decisions that matter, for people who have to answer "who did what, and why was it allowed".
create table audit_log (
    id            bigint generated always as identity primary key,
    at            timestamptz not null default now(),
    actor_id      uuid,
    actor_subject text,
    action        text not null check (length(action) between 1 and 64),
    appliance_id  uuid,
    resource      text,
    decision      text not null check (decision in ('ALLOW', 'DENY')),
    policies      text[] not null default '{}',
    reason        text,
    context       jsonb
);
create index audit_log_appliance_idx on audit_log (appliance_id, at);
create index audit_log_actor_idx on audit_log (actor_id, at);

-- Inbound messages we could not apply, with the reason and a bounded copy of the payload.
create table dead_letter (
    id           bigint generated always as identity primary key,
    received_at  timestamptz not null default now(),
    source       text not null check (source in ('MQTT', 'CLOUD_SYNC')),
    topic        text check (length(topic) <= 512),
    reason       text not null check (reason ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    detail       text check (length(detail) <= 2000),
    payload      bytea check (octet_length(payload) <= 8192),
    payload_size integer not null check (payload_size >= 0)
);
create index dead_letter_received_idx on dead_letter (received_at);

-- Cloud access sync (IoT Core policies and Cognito principal tags), one row per user.
-- desired_* is written in the same transaction as the grant change; a worker applies it and records applied_*.
create table cloud_sync_state (
    user_id            uuid primary key references app_user (id) on delete cascade,
    desired_generation bigint not null default 0 check (desired_generation >= 0),
    applied_generation bigint not null default 0 check (applied_generation >= 0),
    desired_policies   jsonb not null default '[]'::jsonb check (jsonb_typeof(desired_policies) = 'array'),
    desired_tags       jsonb not null default '{}'::jsonb check (jsonb_typeof(desired_tags) = 'object'),
    status             text not null default 'IN_SYNC' check (status in ('PENDING', 'IN_SYNC', 'FAILED')),
    attempts           integer not null default 0 check (attempts >= 0),
    last_error         text check (length(last_error) <= 2000),
    next_attempt_at    timestamptz,
    updated_at         timestamptz not null default now(),
    check (applied_generation <= desired_generation)
);
create index cloud_sync_due_idx on cloud_sync_state (next_attempt_at) where status <> 'IN_SYNC';
