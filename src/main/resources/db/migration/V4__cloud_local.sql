-- The local stand-in for IoT Core policies and Cognito user attributes (appliance-sync.cloud.mode=local, the default
-- in dev mode and tests): what the cloud sync would have set in AWS, visible with psql and no AWS account.
-- Production (mode aws) leaves these tables empty. Limits are enforced by LocalCloudGateway as IoT Core enforces them.
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
