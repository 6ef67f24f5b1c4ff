-- A thing name is fixed when the appliance is registered (issue 15): IoT Core cannot rename a thing, and a device keeps
-- connecting, subscribing and publishing under the name its certificate is attached to. Moving an appliance between
-- households no longer renames it (V2 did: '<household prefix>-<factory name>', which cut household appliances off
-- from their commands). Households reach their appliances through the service's view/households/<prefix>/... topics.
--
-- Every appliance gets its registered (factory) name back, then that is the one name. No two rows can collide on the
-- way: factory names are unique and, by V2's check, never look like '<8 lower-case letters or digits>-...', which is
-- what every renamed thing name looks like.
alter table appliance drop constraint appliance_thing_name_follows_household_ck;
update appliance set thing_name = factory_thing_name where thing_name <> factory_thing_name;
alter table appliance drop column factory_thing_name;

-- Enforced here as well as in the code: no statement may change a thing name once it is registered.
create function appliance_thing_name_is_fixed() returns trigger language plpgsql as $$
begin
    raise exception 'thing name % of appliance % is fixed at registration', old.thing_name, old.id
        using errcode = 'check_violation';
end
$$;
create trigger appliance_thing_name_is_fixed
    before update of thing_name on appliance
    for each row when (new.thing_name is distinct from old.thing_name)
    execute function appliance_thing_name_is_fixed();
