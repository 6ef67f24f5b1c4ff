-- The local stand-in for AWS (appliance-sync.cloud.mode=local) is dev and test scaffolding, and a production build no
-- longer holds it: its tables leave the production schema. V4 and V10 created them everywhere (they stay, unchanged,
-- for Flyway's checksums); dev mode and tests create them again, after this, from db/dev-migration, a location only
-- their profiles read.
-- migration-safety: allow drop-table production syncs with AWS (mode aws), and no release read or wrote these then
drop table if exists cloud_local_openid_token, cloud_local_identity, cloud_local_user_attribute,
    cloud_local_policy_attachment, cloud_local_policy_version, cloud_local_policy;
