-- The two database users of appliance-sync, created once per database by an administrator (the RDS master user, or a
-- superuser), connected to the service's database: psql -d appliance_sync -f deploy/database/roles.sql, then give
-- each a password (\password appliance_sync_owner, \password appliance_sync_app) for the two Secrets.
--
--   appliance_sync_owner  owns the schema: the release's migration job (deploy/kubernetes/migrate-job.yaml) connects
--                         as it, and only it can create, alter or drop tables.
--   appliance_sync_app    the service's replicas: reads and writes rows, nothing else (no DDL, no TRUNCATE). A
--                         compromised replica cannot drop or alter a table, nor read another database's data.
--
-- Not a Flyway migration on purpose: creating roles needs an administrator, and the migrations run as the owner.
-- Safe to run again (it only grants). DatabaseRolesTest runs this file, migrates as the owner and checks what the
-- service's user can and cannot do.

do $$
begin
  if not exists (select from pg_roles where rolname = 'appliance_sync_owner') then
    create role appliance_sync_owner login;
  end if;
  if not exists (select from pg_roles where rolname = 'appliance_sync_app') then
    create role appliance_sync_app login;
  end if;
end
$$;

-- The owner creates the tables in the public schema; nobody else may (PostgreSQL 14 still lets every user create
-- there by default).
grant create, usage on schema public to appliance_sync_owner;
revoke create on schema public from public;
grant usage on schema public to appliance_sync_app;

-- Tables and sequences the owner creates from now on (every future migration) are the service's to read and write.
alter default privileges for role appliance_sync_owner in schema public
  grant select, insert, update, delete on tables to appliance_sync_app;
alter default privileges for role appliance_sync_owner in schema public
  grant usage, select on sequences to appliance_sync_app;

-- And those that exist already (a database migrated before the roles were split: first make the owner own them with
-- "reassign owned by <old user> to appliance_sync_owner", run as that old user or an administrator).
grant select, insert, update, delete on all tables in schema public to appliance_sync_app;
grant usage, select on all sequences in schema public to appliance_sync_app;
