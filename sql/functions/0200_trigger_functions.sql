/*
  Trigger functions shared by the tables; the triggers themselves are declared with
  each table's policies (sql/policies/), since they are part of its security rules.
*/

create or replace function app_private.tg_set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end
$$;
comment on function app_private.tg_set_updated_at() is 'Keeps updated_at current on every UPDATE.';

/*
  S-RLS-2: what an authenticated user may change in public.users, beyond the column
  privileges (id, school_id, e-mail and the restriction fields are not granted at all):
  a user corrects their own names; a school admin corrects a pupil's names, year group
  and education level (Art. 16 rectification, on request of the pupil or a parent) and
  sets role and class, never their own role, never to or from developer, and never
  across the pupil/staff boundary (student <-> teacher/admin): the admin RPCs act for
  pupils only, and a demotion would let an admin export or erase a colleague (and
  erase the audit of the demotion with the account). teacher <-> admin stays the
  admin's; a pupil becomes staff (or back) through service_role only. The e-mail
  address stays with the identity provider. service_role and the RPCs (running as the
  owner) are not restricted here.
*/
create or replace function app_private.tg_users_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
begin
    if current_user <> 'authenticated' then
        return new;
    end if;
    if (new.display_name, new.first_name, new.last_name) is distinct from
       (old.display_name, old.first_name, old.last_name) and new.id is distinct from caller
       and not (app_private.is_admin() and old.role = 'student') then
        raise exception using errcode = '42501',
            message = 'only the user, or a school admin for a pupil, may change names';
    end if;
    if (new.year_group, new.education_level) is distinct from (old.year_group, old.education_level)
       and not (app_private.is_admin() and old.role = 'student') then
        raise exception using errcode = '42501',
            message = 'only a school admin may correct a pupil''s year group and education level';
    end if;
    if new.role is distinct from old.role then
        if not app_private.is_admin() then
            raise exception using errcode = '42501', message = 'only a school admin may change a role';
        end if;
        if new.id = caller then
            raise exception using errcode = '42501', message = 'an admin cannot change their own role';
        end if;
        if 'developer' in (old.role, new.role) then
            raise exception using errcode = '42501', message = 'the developer role is assigned by the platform only';
        end if;
        if (old.role = 'student') <> (new.role = 'student') then
            raise exception using errcode = '42501',
                message = 'a role change between pupil and staff is made by the platform only';
        end if;
    end if;
    if new.class_id is distinct from old.class_id and not app_private.is_admin() then
        raise exception using errcode = '42501', message = 'only a school admin may change a class';
    end if;
    return new;
end
$$;
comment on function app_private.tg_users_guard() is
'S-RLS-2: names by the user or, for a pupil, a school admin; year group and level of a pupil by a school admin; role and class only by a school admin (never own role, never developer, never across pupil/staff).';

/*
  Art. 16: a correction of a pupil's profile by a school admin is audited
  (rectification: which fields, old and new values), like a configuration change.
  A user's correction of their own names is not: it is their own data.
*/
create or replace function app_private.tg_rectification()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    fields text[] := array['display_name', 'first_name', 'last_name', 'year_group', 'education_level'];
    o jsonb := pg_catalog.to_jsonb(old);
    n jsonb := pg_catalog.to_jsonb(new);
    changed text[];
begin
    if caller is null or caller = new.id then
        return null;
    end if;
    select pg_catalog.array_agg(f order by f) into changed
    from pg_catalog.unnest(fields) as f where o -> f is distinct from n -> f;
    if changed is null then
        return null;
    end if;
    insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
    values (
        'rectification',
        (select u.id from public.users as u where u.id = caller),
        new.id,
        (select s.id from public.schools as s where s.id = new.school_id),
        pg_catalog.jsonb_build_object(
            'legal_basis', 'Art. 16 GDPR', 'fields', pg_catalog.to_jsonb(changed),
            'old', (select pg_catalog.jsonb_object_agg(f, o -> f) from pg_catalog.unnest(changed) as f),
            'new', (select pg_catalog.jsonb_object_agg(f, n -> f) from pg_catalog.unnest(changed) as f)
        )
    );
    return null;
end
$$;
comment on function app_private.tg_rectification() is
'Art. 16: audits a correction of a user''s names, year group or level made by someone else (a school admin) as rectification.';

/*
  S-RLS-6: no new or changed tracking rows for a pupil whose processing is restricted
  (Art. 18), whoever writes them. TG_ARGV[0] names the column holding the pupil.
  A restriction never blocks erasure (S-DATA-1, Art. 17): an UPDATE that only removes
  references to users (sets columns referencing public.users to null) adds no data
  about the pupil and is let through. That is exactly the referential action
  `on delete set null` when a teacher or admin who assessed, overrode or wrote about
  the pupil is erased, whether by delete_my_account(), delete_user_account() or
  offboarding.
*/
create or replace function app_private.tg_refuse_if_restricted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    pupil uuid := (pg_catalog.to_jsonb(new) ->> tg_argv[0])::uuid;
    old_row jsonb;
    -- fired on a partition (a clone of the parent's trigger): the table is the partitioned parent
    v_table regclass := coalesce(pg_catalog.pg_partition_root(tg_relid), tg_relid);
begin
    if tg_op = 'UPDATE' then
        old_row := pg_catalog.to_jsonb(old);
        if not exists (
            select from pg_catalog.jsonb_each(pg_catalog.to_jsonb(new)) as n (k, v)
            where n.v is distinct from old_row -> n.k
              and not (
                  n.v = 'null'::jsonb
                  and n.k in (select ur.col::text from app_private.user_references() as ur where ur.tbl = v_table)
              )
        ) then
            return new;
        end if;
    end if;
    if exists (select from public.users as u where u.id = pupil and u.processing_restricted) then
        /*
          This trigger runs before the row-level security WITH CHECK. An API caller who may not
          write about this user at all gets RLS's own refusal, whether or not the user is
          restricted: DG002 would tell anyone who knows an id that its owner restricted
          processing (Art. 18). The pupil themself, the staff in their care and the backend
          get DG002.
        */
        if pg_catalog.current_setting('role', true) = 'authenticated'
            and pupil is distinct from (select auth.uid())
            and not app_private.teaches_pupil(pupil) then
            raise exception using
                errcode = '42501',
                message = pg_catalog.format(
                    'new row violates row-level security policy for table "%s"',
                    (select c.relname from pg_catalog.pg_class as c where c.oid = v_table)
                );
        end if;
        raise exception using
            errcode = 'DG002',
            message = pg_catalog.format(
                'processing of this pupil''s data is restricted (Art. 18): no new %s',
                (select c.relname from pg_catalog.pg_class as c where c.oid = v_table)
            ),
            hint = 'The restriction is lifted by a school admin with lift_processing_restriction().';
    end if;
    return new;
end
$$;
comment on function app_private.tg_refuse_if_restricted() is
'S-RLS-6: refuses tracking rows for a pupil whose processing is restricted (SQLSTATE DG002).';

/*
  duel_presence (V-08, S-RET-1): last_seen_at is written by the client, but never into
  the future. A future time would survive the 1-day purge and show the pupil online for
  ever; it is clamped to the server's now(). Earlier times mean going offline; they are
  kept back to one day (the purge period), and anything older (-infinity included) is
  stored as one day ago, which the next purge removes.
*/
create or replace function app_private.tg_clamp_last_seen_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.last_seen_at := least(
        greatest(coalesce(new.last_seen_at, pg_catalog.now()), pg_catalog.now() - interval '1 day'),
        pg_catalog.now()
    );
    return new;
end
$$;
comment on function app_private.tg_clamp_last_seen_at() is
'Keeps duel_presence.last_seen_at between now() - 1 day and now() (S-RET-1: a future time would never expire).';

/*
  Client-written times are bounded (the class of last_seen_at): a BEFORE INSERT OR
  UPDATE trigger names, as its arguments, the timestamp columns a client may write;
  each non-null value is kept at or before now() and, when the row has a created_at,
  at or after it. A read receipt in the year 9999 or an answer before the challenge
  is not a fact the platform records. tests/rls/test_client_times.py checks from the
  column privileges that every such column has this trigger.
*/
create or replace function app_private.tg_clamp_client_time()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_row jsonb := pg_catalog.to_jsonb(new);
    v_col text;
    v_at timestamptz;
    v_floor timestamptz := (v_row ->> 'created_at')::timestamptz;
begin
    foreach v_col in array tg_argv loop
        v_at := (v_row ->> v_col)::timestamptz;
        if v_at is not null then
            v_at := least(v_at, pg_catalog.now());
            if v_floor is not null then
                v_at := greatest(v_at, v_floor);
            end if;
            v_row := pg_catalog.jsonb_set(v_row, array[v_col], pg_catalog.to_jsonb(v_at));
        end if;
    end loop;
    new := pg_catalog.jsonb_populate_record(new, v_row);
    return new;
end
$$;
comment on function app_private.tg_clamp_client_time() is
'Keeps the client-written timestamp columns named as trigger arguments between the row''s created_at (when it has one) and now().';

/*
  S-RPC-3: configuration changes of schools, classes and users' role/school/class are
  written to audit_logs with old and new values and the actor.
*/
create or replace function app_private.tg_config_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    old_v jsonb := case when tg_op <> 'INSERT' then pg_catalog.to_jsonb(old) end;
    new_v jsonb := case when tg_op <> 'DELETE' then pg_catalog.to_jsonb(new) end;
    row_v jsonb := coalesce(new_v, old_v);
    school uuid;
    subject uuid;
begin
    if tg_table_name = 'users' then
        old_v := pg_catalog.jsonb_build_object('role', old_v -> 'role', 'school_id', old_v -> 'school_id', 'class_id', old_v -> 'class_id');
        new_v := pg_catalog.jsonb_build_object('role', new_v -> 'role', 'school_id', new_v -> 'school_id', 'class_id', new_v -> 'class_id');
        if old_v = new_v then
            return null;
        end if;
        subject := (row_v ->> 'id')::uuid;
        school := (row_v ->> 'school_id')::uuid;
    elsif tg_table_name = 'schools' then
        school := (row_v ->> 'id')::uuid;
    else
        school := (row_v ->> 'school_id')::uuid;
    end if;
    insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
    values (
        'config_change',
        (select u.id from public.users as u where u.id = (select auth.uid())),
        subject,
        (select s.id from public.schools as s where s.id = school),
        pg_catalog.jsonb_build_object(
            'table', tg_table_name, 'operation', lower(tg_op), 'id', row_v -> 'id',
            'old', old_v, 'new', new_v,
            'by_role', pg_catalog.current_setting('role', true)
        )
    );
    return null;
end
$$;
comment on function app_private.tg_config_change() is
'S-RPC-3: logs configuration changes (schools, classes, users role/school/class) to audit_logs as config_change.';

revoke all on function
app_private.tg_set_updated_at(),
app_private.tg_users_guard(),
app_private.tg_refuse_if_restricted(),
app_private.tg_clamp_last_seen_at(),
app_private.tg_clamp_client_time(),
app_private.tg_rectification(),
app_private.tg_config_change()
from public, anon, authenticated, service_role;
