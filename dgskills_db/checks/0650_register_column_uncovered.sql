-- requires: app_private.register_column
-- requires: app_private.register_table
-- Processing register: every column of a table that holds personal data (every table in public,
-- tables elsewhere whose comment names a ROPA activity or that refer to an account) is covered by a personal-data category
-- of some activity (app_private.register_column). Surrogate keys (identity / sequence) are exempt.
with scope as (
    select
        c.oid,
        format('%s.%s', n.nspname, c.relname) as table_name
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('r', 'p') and not c.relispartition
        and (
            n.nspname = 'public'
            or coalesce(pg_catalog.obj_description(c.oid, 'pg_class') ~ 'ROPA V-[0-9]{2}', false)
            -- a table of ours, in any schema, that refers to an account holds data about that person
            -- (the platform's own schemas, e.g. Supabase Auth's sessions, are the platform's register)
            or (
                n.nspname not in (
                    'auth', 'storage', 'realtime', 'extensions', 'graphql', 'graphql_public', 'vault', 'pgsodium',
                    'net', 'cron', 'supabase_functions', 'supabase_migrations', 'pgbouncer', 'information_schema'
                )
                and n.nspname !~ '^pg_'
                and exists (
                    select from pg_catalog.pg_constraint as k
                    where
                        k.conrelid = c.oid and k.contype = 'f'
                        and k.confrelid in (pg_catalog.to_regclass('public.users'), pg_catalog.to_regclass('auth.users'))
                )
            )
            or exists (
                select from app_private.register_table as t
                where t.table_name = format('%s.%s', n.nspname, c.relname)
            )
        )
)

select
    'register_column_uncovered' as name,
    'ERROR' as level,
    format('%s.%s', s.table_name, a.attname) as object,
    format('column %s.%s (%s; comment: %s) is in no personal-data category of the register',
        s.table_name, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
        coalesce(pg_catalog.col_description(s.oid, a.attnum), 'none')) as detail,
    format('add (''%s'', array[''%s''], ''V-xx'', ''<category>'') to register_column in sql/register/0100_register.sql '
        || '(a new category marked origin ''added'' if the ROPA does not list it)', s.table_name, a.attname) as remediation
from scope as s
inner join pg_catalog.pg_attribute as a on s.oid = a.attrelid
where
    a.attnum > 0 and not a.attisdropped and a.attidentity = ''
    and not coalesce(pg_catalog.pg_get_expr(
        (select d.adbin from pg_catalog.pg_attrdef as d where d.adrelid = s.oid and d.adnum = a.attnum), s.oid
    ) ~ '^nextval\(', false)
    and not exists (
        select from app_private.register_column as r
        where r.table_name = s.table_name and r.column_name = a.attname
    )
