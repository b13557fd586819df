/* splinter 0002 auth_users_exposed (ERROR, EXTERNAL, SECURITY).
   auth.users holds every account's e-mail address and metadata. A view or materialized view
   that reads it, in a schema the Data API serves and selectable by anon or authenticated,
   publishes those rows unless row-level security still applies: that is only the case for a
   security_invoker view while auth.users itself has RLS enabled. A materialized view has no
   RLS at all, and an ordinary view reads as its owner. */
with relation_reading_auth_users as (
    select distinct rw.ev_class as oid
    from pg_catalog.pg_depend as d
    inner join pg_catalog.pg_rewrite as rw on d.objid = rw.oid
    where
        d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
        and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
        and d.refobjid = pg_catalog.to_regclass('auth.users')
        and d.deptype = 'n'
),

exposed as (
    select
        c.oid, n.nspname, c.relname, c.relkind,
        coalesce((
            select pg_catalog.lower(o.option_value) in ('true', 'on', 'yes', '1')
            from pg_catalog.pg_options_to_table(c.reloptions) as o
            where o.option_name = 'security_invoker'
        ), false) as invoker,
        array_remove(array[
            case when pg_catalog.has_table_privilege('anon', c.oid, 'SELECT') then 'anon' end,
            case when pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT') then 'authenticated' end
        ], null) as readers
    from relation_reading_auth_users as r
    inner join pg_catalog.pg_class as c on r.oid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind in ('v', 'm')
        and n.nspname in (
            select pg_catalog.btrim(s)
            from pg_catalog.string_to_table(pg_catalog.current_setting('pgrst.db_schemas', true), ',') as s
        )
)

select
    'auth_users_exposed' as name,
    'ERROR' as level,
    e.nspname || '.' || e.relname as object,
    format(
        '%s reads auth.users and %s may select it through the API: %s',
        case e.relkind when 'm' then 'materialized view' else 'view' end,
        pg_catalog.array_to_string(e.readers, ' and '),
        case
            when e.relkind = 'm' then 'a materialized view has no row-level security'
            when not e.invoker then 'it reads as its owner, so no row-level security applies'
            else 'auth.users has row-level security disabled'
        end
    ) as detail,
    format(
        'revoke select on %I.%I from anon, authenticated, or move it out of the API schemas; '
        'a view that must stay: security_invoker over an auth.users with RLS',
        e.nspname, e.relname
    ) as remediation
from exposed as e
where
    e.readers <> '{}'
    and (
        e.relkind = 'm'
        or not e.invoker
        or not (select c.relrowsecurity from pg_catalog.pg_class as c where c.oid = pg_catalog.to_regclass('auth.users'))
    )
