-- Our policies that may exist in AWS for a user although no longer attached to their identity: the set the last pass
-- applied, those IoT Core would not delete yet (it refuses for minutes after a detach), and those a pass began to
-- create. Each pass hands them to the converger as former policies, so a policy that was detached and then left
-- behind (a held delete, a pass that died between detach and delete) is still found and deleted.
alter table cloud_sync_state add column known_policies text[] not null default '{}';
