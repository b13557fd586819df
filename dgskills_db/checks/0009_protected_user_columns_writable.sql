-- S-RLS-2: authenticated must not be able to write id, school_id or the restriction fields of
-- users; role and class_id may be granted only with the guard trigger in place. (The reason for a
-- restriction is in public.processing_restrictions, whose grants the access matrix checks.)
select
    'protected_user_columns_writable' as name,
    'ERROR' as level,
    format('public.users.%I', a.attname) as object,
    format('authenticated has %s on users.%s', priv.p, a.attname) as detail,
    format('revoke %s (%I) on public.users from authenticated', priv.p, a.attname) as remediation
from pg_catalog.pg_attribute as a
cross join (values ('update'), ('insert')) as priv (p)
where
    a.attrelid = 'public.users'::regclass
    and a.attname in ('id', 'school_id', 'processing_restricted', 'restricted_at')
    and pg_catalog.has_column_privilege('authenticated', a.attrelid, a.attnum, priv.p)
union all
select
    'protected_user_columns_writable',
    'ERROR',
    'public.users.role',
    'authenticated may update users.role but the guard trigger (app_private.tg_users_guard) is missing',
    'create trigger guard_columns before update on public.users for each row execute function app_private.tg_users_guard()'
where
    pg_catalog.has_column_privilege('authenticated', 'public.users', 'role', 'update')
    and not exists (
        select from pg_catalog.pg_trigger as t
        where
            t.tgrelid = 'public.users'::regclass and not t.tgisinternal and t.tgenabled <> 'D'
            and t.tgfoid = 'app_private.tg_users_guard()'::regprocedure
    )
