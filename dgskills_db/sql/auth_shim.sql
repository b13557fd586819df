/*
  Supabase-compatible auth shim (S-AUTH-1) for plain PostgreSQL.

  Installed by `migrate.py up` only when schema `auth` does not exist; on Supabase
  the real one is left alone. The identity functions are defined exactly as Supabase
  defines them: they read the claims PostgREST puts in `request.jwt.claims`
  (and the older per-claim `request.jwt.claim.*` settings), empty means null.

  The roles copy Supabase's attributes. The default privileges follow one of Supabase's
  two regimes, chosen by the deployer (`up --default-privileges`, see dgskills_db/shim.py;
  the runner sets dgskills.api_default_privileges for this transaction):
    legacy  every new table, function and sequence in `public` is granted to anon,
            authenticated and service_role, as Supabase long did: the project's
            deny-by-default revokes are tested against that worst case;
    secure  no default privileges for the API roles, as new Supabase projects: every
            grant the project needs must be written out, service_role's included.
  The whole test suite runs under both.
*/

do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
end
$roles$;

grant anon, authenticated, service_role to authenticator;

create schema auth;
grant usage on schema auth to anon, authenticated, service_role;

create table auth.users (
    id uuid primary key default gen_random_uuid(),
    aud varchar(255),
    role varchar(255),
    email varchar(255) unique,
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
comment on table auth.users is 'Supabase-compatible stand-in for GoTrue''s auth.users (plain PostgreSQL only).';

create function auth.uid() returns uuid
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create function auth.role() returns text
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create function auth.jwt() returns jsonb
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;

-- Supabase's default privileges on public (see the header).
grant usage on schema public to anon, authenticated, service_role;
do $regime$
declare
    v_regime text := coalesce(
        nullif(pg_catalog.current_setting('dgskills.api_default_privileges', true), ''), 'legacy'
    );
begin
    if v_regime = 'legacy' then
        alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
        alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
        alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
    elsif v_regime <> 'secure' then
        raise exception using errcode = '22023',
            message = pg_catalog.format('unknown default privileges regime %L (legacy or secure)', v_regime);
    end if;
    execute pg_catalog.format(
        'comment on schema auth is %L',
        'Supabase-compatible auth shim (plain PostgreSQL only); API default privileges: ' || v_regime || '.'
    );
end
$regime$;
