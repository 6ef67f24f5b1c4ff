-- An appliance keeps the thing name it was provisioned with (its factory name); in a household its thing name is
-- '<household prefix>-<factory name>', so one IoT policy statement per household covers its appliances (seed 004).
-- A factory name may not itself look like a household name, or a household's wildcard could reach it.
alter table appliance add column factory_thing_name text;
update appliance set factory_thing_name = thing_name;
alter table appliance alter column factory_thing_name set not null;
alter table appliance add constraint appliance_factory_thing_name_ck
    check (factory_thing_name ~ '^[A-Za-z0-9:_-]{1,119}$' and factory_thing_name !~ '^[a-z0-9]{8}-');
alter table appliance add constraint appliance_factory_thing_name_uq unique (factory_thing_name);
alter table appliance add constraint appliance_thing_name_follows_household_ck
    check (household_id is not null or thing_name = factory_thing_name);
