-- Fleet search (docs/fleet.md): the indexes its queries need, so that a selective query never scans every shadow.
-- Every statement builds its index concurrently: the tables are live and may be big, and a plain create index would
-- block their writes (ingestion) while it builds. Flyway runs these statements outside a transaction.

-- Equality and in-lists on shadow attributes are sent as containment (reported @> '{"DoorOpened": true}'), which a
-- jsonb_path_ops GIN index answers; it is smaller and faster than the default jsonb_ops, which also serves key
-- existence (?), a question fleet search does not ask.
create index concurrently if not exists device_state_reported_path_idx on device_state using gin (reported jsonb_path_ops);
create index concurrently if not exists device_state_desired_path_idx on device_state using gin (desired jsonb_path_ops);

-- A type filter (and the types a policy lets an operator search) with pages in id order.
create index concurrently if not exists appliance_type_id_idx on appliance (appliance_type, id);

-- Firmware versions compare semantically (1.10 > 1.9): the numeric components as an integer array. The expression
-- must stay the one FleetPredicates writes, or PostgreSQL will not use the index.
create index concurrently if not exists appliance_firmware_key_idx
    on appliance ((string_to_array(substring(firmware_version from '^[0-9]{1,9}(?:\.[0-9]{1,9})*'), '.')::integer[]));

-- Last seen before / after.
create index concurrently if not exists device_presence_last_seen_idx on device_presence (last_seen_at);
