-- Dev mode and tests only (quarkus.flyway.locations adds db/dev-migration for those profiles; a production build holds
-- neither this file nor the local gateway): the local stand-in for IoT Core policies, Cognito user attributes and the
-- Cognito identity pool (appliance-sync.cloud.mode=local, dev.appliancesync.cloud.local.LocalCloudGateway). What the
-- cloud sync would have set in AWS, visible with psql and no AWS account. The production schema dropped the tables of
-- V4 and V10 in V11; this version, 11.1, follows it. Limits are enforced by LocalCloudGateway as IoT Core enforces them.
create table cloud_local_policy (
    name               text primary key check (name ~ '^[A-Za-z0-9_+=,.@-]{1,128}$'),
    default_version_id integer not null check (default_version_id >= 1),
    -- Version ids are never reused, as in IoT Core.
    last_version_id    integer not null check (last_version_id >= default_version_id),
    created_at         timestamptz not null default clock_timestamp()
);

create table cloud_local_policy_version (
    policy_name text not null references cloud_local_policy (name) on delete cascade,
    version_id  integer not null check (version_id >= 1),
    document    text not null,
    created_at  timestamptz not null default clock_timestamp(),
    primary key (policy_name, version_id)
);

-- No cascade: like IoT Core, a policy cannot be deleted while attached.
create table cloud_local_policy_attachment (
    target      text not null check (length(target) between 1 and 2048),
    policy_name text not null references cloud_local_policy (name),
    attached_at timestamptz not null default clock_timestamp(),
    primary key (target, policy_name)
);
create index cloud_local_attachment_policy_idx on cloud_local_policy_attachment (policy_name);

create table cloud_local_user_attribute (
    username   text not null,
    name       text not null check (length(name) between 1 and 32),
    value      text not null check (length(value) <= 2048),
    updated_at timestamptz not null default clock_timestamp(),
    primary key (username, name)
);

-- The local gateway's identity pool (appliance-sync.cloud.mode=local): one identity per (pool, developer provider,
-- login), as Cognito keeps it, and the OpenID tokens handed out for them, so that a newcomer sees with psql what an app
-- would trade for credentials.
create table cloud_local_identity (
    identity_pool_id text not null,
    provider_name    text not null,
    login            text not null,
    identity_id      text not null unique,
    created_at       timestamptz not null default clock_timestamp(),
    primary key (identity_pool_id, provider_name, login)
);

create table cloud_local_openid_token (
    token          text primary key,
    identity_id    text not null references cloud_local_identity (identity_id) on delete cascade,
    principal_tags jsonb not null default '{}'::jsonb check (jsonb_typeof(principal_tags) = 'object'),
    expires_at     timestamptz not null
);
create index cloud_local_openid_token_identity_idx on cloud_local_openid_token (identity_id);
