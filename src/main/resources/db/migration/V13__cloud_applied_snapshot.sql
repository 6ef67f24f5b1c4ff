-- What the last successful reconciler pass left in the cloud for the user (their identity's attached policies of ours,
-- each policy's default document and number of versions, the attributes we set), so the next pass for a share or a
-- revoke writes without reading it all back first. Null when not known: a pass takes it out when it starts and puts
-- it back only when it ends well, so a pass that dies, fails or is put off leaves the next one to read everything; the
-- drift check always reads everything.
alter table cloud_sync_state add column applied_cloud jsonb check (applied_cloud is null or jsonb_typeof(applied_cloud) = 'object');
