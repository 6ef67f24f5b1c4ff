-- Credential vending (issue 15): from now on the service obtains each user's Cognito identity itself
-- (GetOpenIdTokenForDeveloperIdentity, login = the user's id under the pool's developer provider), so
-- app_user.cognito_identity_id only ever holds the identity Cognito keeps for that user.
--
-- Identities linked before (linkCloudIdentity) were whatever id an app sent: the service cannot vouch that any of them
-- belongs to its user (a linker could name someone else's identity), so none is kept. Each becomes a retired identity:
-- the reconciler detaches the user's policies from it (as when a user linked another one), and the user's app gets
-- its vended identity with openCloudSession, to which the reconciler then attaches them.
insert into cloud_sync_state as s (user_id, desired_generation, status, next_attempt_at, retired_identities)
select id, 1, 'PENDING', now(), array[cognito_identity_id] from app_user where cognito_identity_id is not null
on conflict (user_id) do update set desired_generation = s.desired_generation + 1, status = 'PENDING', attempts = 0,
    last_error = null, next_attempt_at = now(), updated_at = now(),
    retired_identities = s.retired_identities || excluded.retired_identities;

update app_user set cognito_identity_id = null where cognito_identity_id is not null;

comment on column app_user.cognito_identity_id is
    'The Cognito identity the service obtained for this user (GetOpenIdTokenForDeveloperIdentity); never set by a client';

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
