/*
  A server set up as Supabase sets its own up (supabase/postgres, migrations/db at commit
  7db7e1a9e34b), reduced to what decides a deployer's privileges: run as the bootstrap
  superuser `supabase_admin` in the database pg_cron lives in (cron.database_name).
  Left out: pgjwt, pgsodium, realtime, storage, pg_graphql, pg_net (not on Debian, and
  nothing here depends on them).
*/

-- migrate.sh: the postgres role exists (as a superuser) while the init scripts run
create role postgres superuser login;
select pg_catalog.set_config('x.db', pg_catalog.current_database(), false);
do $$ begin execute pg_catalog.format('alter database %I owner to postgres', pg_catalog.current_setting('x.db')); end $$;

-- init-scripts/00000000000000-initial-schema.sql (run as postgres)
set role postgres;
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create user authenticator noinherit;
grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
reset role;

-- init-scripts/00000000000001-auth-schema.sql, with GoTrue's current identity functions
create schema if not exists auth authorization supabase_admin;
create table auth.users (
    instance_id uuid null,
    id uuid not null unique,
    aud varchar(255) null,
    "role" varchar(255) null,
    email varchar(255) null unique,
    encrypted_password varchar(255) null,
    confirmed_at timestamptz null,
    last_sign_in_at timestamptz null,
    raw_app_meta_data jsonb null,
    raw_user_meta_data jsonb null,
    is_super_admin bool null,
    created_at timestamptz null,
    updated_at timestamptz null,
    constraint users_pkey primary key (id)
);
create function auth.uid() returns uuid language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
create function auth.role() returns text language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $$;
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
grant usage on schema auth to anon, authenticated, service_role;
create user supabase_auth_admin noinherit createrole login noreplication;
grant all privileges on schema auth to supabase_auth_admin;
grant all privileges on all tables in schema auth to supabase_auth_admin;
alter table auth.users owner to supabase_auth_admin;
-- migrations/20211124212715_update-auth-owner.sql
alter function auth.uid owner to supabase_auth_admin;
alter function auth.role owner to supabase_auth_admin;
alter function auth.jwt owner to supabase_auth_admin;

-- init-scripts/00000000000003-post-setup.sql
alter role postgres set search_path to "$user", public, extensions;

-- migrations/10000000000000_demote-postgres.sql
do $$ begin execute pg_catalog.format('grant all on database %I to postgres', pg_catalog.current_setting('x.db')); end $$;
grant all on schema auth to postgres;
grant all on schema extensions to postgres;
grant all on all tables in schema auth to postgres;
grant all on all tables in schema extensions to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all sequences in schema extensions to postgres;
grant all on all routines in schema auth to postgres;
grant all on all routines in schema extensions to postgres;
alter role postgres nosuperuser createdb createrole login replication bypassrls;

-- migrations/20230201083204_grant_auth_roles_to_postgres.sql
grant anon, authenticated, service_role to postgres;
-- migrations/20230306081037_grant_pg_monitor_to_postgres.sql
grant pg_monitor to postgres;
-- migrations/20240606060239_grant_predefined_roles_to_postgres.sql
grant pg_read_all_data, pg_signal_backend to postgres;

-- migrations/20231020085357_revoke_writes_on_cron_job_from_postgres.sql: what enabling
-- pg_cron grants postgres (USAGE on cron, all on its tables but SELECT only on cron.job)
create or replace function extensions.grant_pg_cron_access() returns event_trigger
language plpgsql as $$
begin
  if exists (
    select from pg_event_trigger_ddl_commands() as ev
    join pg_extension as ext on ev.objid = ext.oid
    where ext.extname = 'pg_cron'
  ) then
    grant usage on schema cron to postgres with grant option;
    alter default privileges in schema cron grant all on tables to postgres with grant option;
    alter default privileges in schema cron grant all on functions to postgres with grant option;
    alter default privileges in schema cron grant all on sequences to postgres with grant option;
    alter default privileges for user supabase_admin in schema cron grant all
        on sequences to postgres with grant option;
    alter default privileges for user supabase_admin in schema cron grant all
        on tables to postgres with grant option;
    alter default privileges for user supabase_admin in schema cron grant all
        on functions to postgres with grant option;
    grant all privileges on all tables in schema cron to postgres with grant option;
    revoke all on table cron.job from postgres;
    grant select on table cron.job to postgres with grant option;
  end if;
end;
$$;
create event trigger issue_pg_cron_access on ddl_command_end
    when tag in ('CREATE EXTENSION')
    execute function extensions.grant_pg_cron_access();

-- the dashboard's "enable pg_cron" (as supabase_admin)
drop extension if exists pg_cron;
create extension pg_cron with schema pg_catalog;

-- On Supabase, supautils lets postgres create plpgsql_check (what `supabase db lint` does
-- first); plain PostgreSQL has no supautils, so it is created here, as the dashboard would.
create extension if not exists plpgsql_check with schema extensions;
