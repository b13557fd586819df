/*
  Shared pieces of the RPCs (SPEC §7). Refusals carry the documented SQLSTATEs
  (README, "SQLSTATEs"): 28000 not signed in, 42501 wrong role, DG001 user not found or
  in another school (deliberately the same: no probing across schools), DG002
  processing restricted, PT429 rate limited, 22023 invalid argument.
*/

create or replace function app_private.caller()
returns public.users
language plpgsql stable security definer
set search_path = ''
as $$
declare
    v_uid uuid;
    v_me public.users;
begin
    v_uid := app_private.uid();
    if v_uid is null then
        raise exception using errcode = '28000', message = 'not signed in';
    end if;
    select u.* into v_me from public.users as u where u.id = v_uid;
    if not found then
        raise exception using errcode = '28000', message = 'not signed in: no platform account for this token';
    end if;
    return v_me;
end
$$;
comment on function app_private.caller() is 'The signed-in user''s profile; 28000 when there is none.';

create or replace function app_private.school_member_for_staff(p_target uuid, p_admin_only boolean)
returns public.users
language plpgsql stable security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
    v_target public.users;
begin
    if p_admin_only and v_me.role <> 'admin' then
        raise exception using errcode = '42501', message = 'only a school admin may do this';
    end if;
    if v_me.role not in ('teacher', 'admin') then
        raise exception using errcode = '42501', message = 'only a teacher or school admin may do this';
    end if;
    if p_target is null then
        raise exception using errcode = '22023', message = 'user_id is required';
    end if;
    select u.* into v_target from public.users as u where u.id = p_target;
    if not found or v_target.school_id is distinct from v_me.school_id then
        raise exception using errcode = 'DG001', message = 'no such user in your school';
    end if;
    return v_target;
end
$$;
comment on function app_private.school_member_for_staff(uuid, boolean) is
'Checks that the caller is staff (or admin) and the target is a member of the caller''s school; returns the target.';

/*
  SPEC §7 (v2): the admin RPCs act for a *pupil* (or their parent) only — never on a
  colleague's account. One check, used by every RPC that takes another user as its
  target (export_user_data, delete_user_account, lift_processing_restriction,
  override_step_completion): caller staff (or admin), target a member of the caller's
  school (DG001 otherwise) and a pupil (42501 otherwise). A staff account cannot be
  turned into a pupil by an admin (tg_users_guard), so "was staff" stays "is staff".
  Class scope (S-RLS-7): a teacher (not an admin) acts only for a pupil of a class they
  teach (app_private.teaches_pupil()); any other pupil of the school is DG001, exactly
  as a pupil of another school, so that a teacher cannot probe who is in which class.
*/
create or replace function app_private.pupil_for_staff(p_target uuid, p_admin_only boolean)
returns public.users
language plpgsql stable security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.school_member_for_staff(p_target, p_admin_only);
begin
    if v_target.role is distinct from 'student' then
        raise exception using errcode = '42501',
            message = 'staff act on pupils'' accounts only; staff use the *_my_* functions for their own';
    end if;
    if not app_private.teaches_pupil(v_target.id) then
        raise exception using errcode = 'DG001', message = 'no such pupil in your classes';
    end if;
    return v_target;
end
$$;
comment on function app_private.pupil_for_staff(uuid, boolean) is
'The shared check of every RPC acting on another user: caller staff (admin when p_admin_only), target a pupil in the caller''s care (an admin: their school; a teacher: the classes they teach, S-RLS-7); 42501 / DG001 otherwise. Returns the target.';

create or replace function app_private.check_text(p_name text, p_value text, p_min integer, p_max integer)
returns text
language plpgsql immutable
set search_path = ''
as $$
declare
    v text := pg_catalog.btrim(p_value);
begin
    if v is null or pg_catalog.char_length(v) < p_min then
        if p_min = 0 and v is null then
            return null;
        end if;
        raise exception using errcode = '22023', message = pg_catalog.format('%s is required', p_name);
    end if;
    if pg_catalog.char_length(v) > p_max then
        raise exception using errcode = '22023',
            message = pg_catalog.format('%s is longer than %s characters', p_name, p_max);
    end if;
    return v;
end
$$;
comment on function app_private.check_text(text, text, integer, integer) is
'Trims and bounds a text argument; 22023 when missing or too long.';

-- Its result columns are part of its signature: dropped first so a change of them deploys.
drop function if exists app_private.user_references();
create function app_private.user_references()
returns table (tbl regclass, table_name text, col name, on_delete text, kind text)
language sql stable
set search_path = ''
as $$
    select
        c.conrelid::regclass,
        case when n.nspname = 'public' then cl.relname::text else n.nspname || '.' || cl.relname end,
        a.attname,
        c.confdeltype::text,
        d.kind
    from pg_catalog.pg_constraint as c
    inner join pg_catalog.pg_class as cl on c.conrelid = cl.oid
    inner join pg_catalog.pg_namespace as n on cl.relnamespace = n.oid
    inner join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    left join app_private.declared_user_columns() as d
        on d.table_name = case when n.nspname = 'public' then cl.relname::text else n.nspname || '.' || cl.relname end
        and d.column_name = a.attname
    where
        c.contype = 'f' and c.confrelid = 'public.users'::regclass and pg_catalog.cardinality(c.conkey) = 1
        -- a partition's copy of its parent's key is the parent's (rows are read through the parent)
        and c.conparentid = 0
$$;
comment on function app_private.user_references() is
'Every column that references public.users(id), from the catalog, with its declared kind (about / actor; null when undeclared): what the export covers and the deletion counts.';

/*
  The export's `subject`: the account's profile as its owner may read it, the restriction
  reason included (S-RLS-6 hides it from teachers, not from the pupil).
*/
create or replace function app_private.export_subject(p_user uuid)
returns jsonb
language sql stable security definer
set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'id', u.id, 'email', u.email, 'display_name', u.display_name, 'first_name', u.first_name,
        'last_name', u.last_name, 'role', u.role, 'school', s.name, 'class', c.name, 'year_group', u.year_group,
        'education_level', u.education_level, 'processing_restricted', u.processing_restricted,
        'restricted_at', u.restricted_at,
        'restricted_reason', (select pr.reason from public.processing_restrictions as pr where pr.user_id = u.id),
        'account_created_at', au.created_at, 'created_at', u.created_at, 'updated_at', u.updated_at
    )
    from public.users as u
    left join public.schools as s on s.id = u.school_id
    left join public.classes as c on c.id = u.class_id
    left join auth.users as au on au.id = u.id
    where u.id = p_user
$$;
comment on function app_private.export_subject(uuid) is
'The subject of an Art. 15/20 export: the profile of one user (school and class by name, the restriction reason, the account''s creation).';

/*
  The Art. 15/20 export of the rows *about* one user (S-RPC-4): every table with a
  column declared `about` (dgskills_db/declarations/user_columns.toml) that holds the
  user — both sides of messages and duels, notes and assessments about the pupil —
  exported whole, since they are the subject's personal data. Rows where the user is
  only the actor are not read here: export_my_data() adds them under the caller's own
  row-level security, so an export never carries what RLS hides from its subject.
  Every table that references users appears, empty or not; an undeclared reference
  counts as `about` (verify reports it). Columns whose names suggest secrets are never
  exported.
*/
create or replace function app_private.export_user(p_user uuid)
returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
declare
    r record;
    v_rows text;
    v_parts text[] := '{}'::text[];
    v_subject jsonb;
begin
    v_subject := app_private.export_subject(p_user);
    for r in
        select ur.tbl, ur.table_name,
               pg_catalog.array_agg(ur.col order by ur.col) filter (where coalesce(ur.kind, 'about') = 'about') as cols,
               (select pg_catalog.array_agg(a.attname) from pg_catalog.pg_attribute as a
                 where a.attrelid = ur.tbl and a.attnum > 0 and not a.attisdropped
                   and a.attname ~* '(password|token|secret)') as secret_cols
        from app_private.user_references() as ur
        where ur.tbl <> 'public.users'::regclass
        group by ur.tbl, ur.table_name
        order by ur.table_name
    loop
        if r.cols is null then
            v_parts := v_parts || (pg_catalog.to_json(r.table_name)::text || ':[]');
            continue;
        end if;
        -- json_agg builds text directly (3x faster than jsonb per row); the document is
        -- parsed into jsonb once, at the end (per table, or growing it table by table,
        -- parses or copies the rows again). Secret-looking columns force the jsonb path.
        execute pg_catalog.format(
            case when r.secret_cols is null
                then 'select coalesce(pg_catalog.json_agg(t)::text, ''[]'') from %s as t where %s'
                else 'select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) - $2::text[])::text, ''[]'') from %s as t where %s'
            end,
            r.tbl,
            (select pg_catalog.string_agg(pg_catalog.format('t.%I = $1', c), ' or ') from pg_catalog.unnest(r.cols) as c)
        ) into v_rows using p_user, coalesce(r.secret_cols::text[], '{}'::text[]);
        v_parts := v_parts || (pg_catalog.to_json(r.table_name)::text || ':' || v_rows);
    end loop;
    return pg_catalog.jsonb_build_object(
        'schema_version', '2.0',
        'exported_at', pg_catalog.now(),
        'subject', v_subject,
        'data', ('{' || pg_catalog.array_to_string(v_parts, ',') || '}')::jsonb
    );
end
$$;
comment on function app_private.export_user(uuid) is
'Builds the Art. 15/20 export (schema 2.0) of the rows about one user (declared about columns), every table that references users present.';

/*
  Art. 17: what deleting this account removes and what it keeps but disconnects, per
  table. A row goes when any of its columns referencing the user cascades; it is
  disconnected when it only holds the user in `on delete set null` columns. Each row
  is counted once, so the counts equal a census of every table before and after.
*/
create or replace function app_private.deletion_counts(p_user uuid)
returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
declare
    r record;
    v_deleted bigint;
    v_disconnected bigint;
    v_entry jsonb;
    v_out jsonb := '{}'::jsonb;
begin
    for r in
        select ur.tbl, ur.table_name,
               pg_catalog.array_agg(ur.col) filter (where ur.on_delete = 'c') as cascade_cols,
               pg_catalog.array_agg(ur.col) filter (where ur.on_delete <> 'c') as other_cols
        from app_private.user_references() as ur
        where ur.tbl <> 'public.users'::regclass
        group by ur.tbl, ur.table_name
        order by ur.table_name
    loop
        execute pg_catalog.format(
            'select count(*) filter (where %s), count(*) filter (where not (%s) and (%s)) from %s as t where %s or %s',
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I is not distinct from $1', c), ' or ')
                      from pg_catalog.unnest(r.cascade_cols) as c), 'false'),
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I is not distinct from $1', c), ' or ')
                      from pg_catalog.unnest(r.cascade_cols) as c), 'false'),
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I is not distinct from $1', c), ' or ')
                      from pg_catalog.unnest(r.other_cols) as c), 'false'),
            r.tbl,
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I = $1', c), ' or ')
                      from pg_catalog.unnest(r.cascade_cols) as c), 'false'),
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I = $1', c), ' or ')
                      from pg_catalog.unnest(r.other_cols) as c), 'false')
        ) into v_deleted, v_disconnected using p_user;
        v_entry := '{}'::jsonb;
        if v_deleted > 0 then
            v_entry := v_entry || pg_catalog.jsonb_build_object('deleted', v_deleted);
        end if;
        if v_disconnected > 0 then
            v_entry := v_entry || pg_catalog.jsonb_build_object('disconnected', v_disconnected);
        end if;
        if v_entry <> '{}'::jsonb then
            v_out := v_out || pg_catalog.jsonb_build_object(r.table_name, v_entry);
        end if;
    end loop;
    return v_out || pg_catalog.jsonb_build_object('users', pg_catalog.jsonb_build_object('deleted', 1),
                                                  'auth.users', pg_catalog.jsonb_build_object('deleted', 1));
end
$$;
comment on function app_private.deletion_counts(uuid) is
'Per table: rows deleting this user removes (a cascading reference) or disconnects (only set-null references); each row counted once.';

/*
  Art. 17 itself: leave a receipt that survives the cascade, then delete the auth
  account so everything cascades. The receipt holds nothing derived from the user
  (S-RPC-5): no subject_id, no hash of the id, only a random receipt number that is
  handed to the person erased (their proof) and the counts. Whoever knows every user
  id of the platform cannot tell whose receipt it is.
*/
create or replace function app_private.delete_account(p_user uuid, p_actor uuid, p_on_behalf boolean)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_counts jsonb := app_private.deletion_counts(p_user);
    v_school uuid := (select u.school_id from public.users as u where u.id = p_user);
    v_token uuid := pg_catalog.gen_random_uuid();
    v_receipt bigint;
begin
    insert into public.audit_logs (action, actor_id, subject_id, subject_hash, school_id, metadata)
    values (
        'gdpr_account_deletion_initiated',
        case when p_on_behalf then p_actor end,
        null,
        null,
        v_school,
        pg_catalog.jsonb_build_object(
            'legal_basis', 'Art. 17 GDPR', 'initiator', case when p_on_behalf then 'school_admin' else 'self' end,
            'receipt', v_token, 'counts', v_counts
        )
    )
    returning id into v_receipt;
    delete from auth.users where id = p_user;
    return pg_catalog.jsonb_build_object('deleted', true, 'receipt_id', v_receipt, 'receipt', v_token, 'counts', v_counts);
end
$$;
comment on function app_private.delete_account(uuid, uuid, boolean) is
'Deletes an account (auth.users, cascading everywhere) after writing a deletion receipt with nothing derived from the user (a random receipt number and the counts).';

create or replace function app_private.audit(
    p_action text, p_actor uuid, p_subject uuid, p_school uuid, p_metadata jsonb
)
returns void
language sql volatile security definer
set search_path = ''
as $$
    insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
    values (p_action, p_actor, p_subject, p_school, coalesce(p_metadata, '{}'::jsonb))
$$;
comment on function app_private.audit(text, uuid, uuid, uuid, jsonb) is 'Appends one audit_logs entry.';

revoke all on function
app_private.caller(),
app_private.school_member_for_staff(uuid, boolean),
app_private.check_text(text, text, integer, integer),
app_private.user_references(),
app_private.export_subject(uuid),
app_private.export_user(uuid),
app_private.deletion_counts(uuid),
app_private.delete_account(uuid, uuid, boolean),
app_private.audit(text, uuid, uuid, uuid, jsonb)
from public, anon, authenticated, service_role;
