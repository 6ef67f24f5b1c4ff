-- The local gateway's identity pool (appliance-sync.cloud.mode=local): one identity per (pool, developer provider,
-- login), as Cognito keeps it, and the OpenID tokens handed out for them, so that a newcomer sees with psql what an app
-- would trade for credentials. Production (mode aws) leaves these tables empty.
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
