-- requires: app_private.register_table
-- Processing register: every table holding personal data belongs to exactly one activity in the
-- register, and its comment names that activity (the comment is what the schema says; the
-- register is what the privacy officer reads).
with scope as (
    select
        c.oid,
        format('%s.%s', n.nspname, c.relname) as table_name,
        pg_catalog.obj_description(c.oid, 'pg_class') as cmt
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
        )
)

select
    'register_table_activity_mismatch' as name,
    'ERROR' as level,
    s.table_name as object,
    case
        when t.table_name is null
            then format('table %s (comment: %s) is in no activity of the register',
                s.table_name, coalesce(pg_catalog.substring(s.cmt, 'ROPA (V-[0-9]{2})'), 'no ROPA id'))
        else format('comment on %s names ROPA %s; register_table puts it in %s',
            s.table_name, coalesce(pg_catalog.substring(s.cmt, 'ROPA (V-[0-9]{2})'), 'no activity'), t.ropa_id)
    end as detail,
    case
        when t.table_name is null
            then format('add (''%s'', ''V-xx'', <retention>) to register_table in sql/register/0100_register.sql',
                s.table_name)
        else 'correct the comment (new file in sql/schema) or register_table (sql/register/0100_register.sql)'
    end as remediation
from scope as s
left join app_private.register_table as t on s.table_name = t.table_name
where t.table_name is null or pg_catalog.substring(s.cmt, 'ROPA (V-[0-9]{2})') is distinct from t.ropa_id
