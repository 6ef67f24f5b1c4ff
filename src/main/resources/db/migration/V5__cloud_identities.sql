-- Cognito identities a user has left behind (they linked another one): our policies must come off them, or the old
-- identity would keep the user's access. The reconciler detaches them and empties this list.
alter table cloud_sync_state add column retired_identities text[] not null default '{}';
