-- S-RLS-1 (issue: partitioned retention): rows of a partitioned table are reached only through
-- the parent, whose policies apply. PostgreSQL applies the policies of the table a query names,
-- so a partition that an API role may read or write directly (a grant, e.g. a default privilege
-- of the schema it was created in) is a way around the parent's row-level security. Every
-- partition has no privilege for any API role (neither on the table nor on a column), no
-- policy of its own, and row-level security enabled (with no policy: nothing for anyone but
-- its owner); no API role has USAGE on a schema that holds partitions.
select
    'partition_reachable_by_api_role' as name,
    'ERROR' as level,
    c.oid::pg_catalog.regclass::text as object,
    pg_catalog.format(
        'partition of %s: %s has %s on it, around the parent''s row-level security',
        i.inhparent::pg_catalog.regclass, r.rolname, priv.p
    ) as detail,
    pg_catalog.format('revoke all on table %s from public, anon, authenticated, service_role, authenticator',
        c.oid::pg_catalog.regclass) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join pg_catalog.pg_inherits as i on c.oid = i.inhrelid
cross join (values ('public'), ('anon'), ('authenticated'), ('service_role'), ('authenticator')) as r (rolname)
cross join (values ('select'), ('insert'), ('update'), ('delete'), ('truncate'), ('references'), ('trigger'))
    as priv (p)
where
    c.relispartition and c.relkind in ('r', 'p')
    and n.nspname not in ('pg_catalog', 'information_schema')
    and (r.rolname = 'public' or exists (select from pg_catalog.pg_roles as x where x.rolname = r.rolname))
    and pg_catalog.has_table_privilege(r.rolname, c.oid, priv.p)
union all
select
    'partition_reachable_by_api_role',
    'ERROR',
    c.oid::pg_catalog.regclass::text,
    pg_catalog.format(
        'partition of %s has row-level security disabled: one grant would open all its rows', i.inhparent::pg_catalog.regclass
    ),
    pg_catalog.format('alter table %s enable row level security', c.oid::pg_catalog.regclass)
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join pg_catalog.pg_inherits as i on c.oid = i.inhrelid
where
    c.relispartition and c.relkind in ('r', 'p')
    and n.nspname not in ('pg_catalog', 'information_schema')
    and not c.relrowsecurity
union all
select
    'partition_reachable_by_api_role',
    'ERROR',
    c.oid::pg_catalog.regclass::text,
    pg_catalog.format(
        'partition of %s: %s has %s on some of its columns, around the parent''s row-level security',
        i.inhparent::pg_catalog.regclass, r.rolname, priv.p
    ),
    pg_catalog.format('revoke all on table %s from public, anon, authenticated, service_role, authenticator',
        c.oid::pg_catalog.regclass)
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join pg_catalog.pg_inherits as i on c.oid = i.inhrelid
cross join (values ('public'), ('anon'), ('authenticated'), ('service_role'), ('authenticator')) as r (rolname)
cross join (values ('select'), ('insert'), ('update'), ('references')) as priv (p)
where
    c.relispartition and c.relkind in ('r', 'p')
    and n.nspname not in ('pg_catalog', 'information_schema')
    and (r.rolname = 'public' or exists (select from pg_catalog.pg_roles as x where x.rolname = r.rolname))
    and pg_catalog.has_any_column_privilege(r.rolname, c.oid, priv.p)
    and not pg_catalog.has_table_privilege(r.rolname, c.oid, priv.p)
union all
select
    'partition_reachable_by_api_role',
    'ERROR',
    c.oid::pg_catalog.regclass::text,
    pg_catalog.format(
        'partition of %s has a policy of its own (%s): a query naming the partition is judged by it, not by the parent''s',
        i.inhparent::pg_catalog.regclass, pol.polname
    ),
    pg_catalog.format('drop policy %I on %s', pol.polname, c.oid::pg_catalog.regclass)
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join pg_catalog.pg_inherits as i on c.oid = i.inhrelid
inner join pg_catalog.pg_policy as pol on c.oid = pol.polrelid
where
    c.relispartition and c.relkind in ('r', 'p')
    and n.nspname not in ('pg_catalog', 'information_schema')
union all
select distinct
    'partition_reachable_by_api_role',
    'ERROR',
    n.nspname::text,
    pg_catalog.format('%s has USAGE on schema %s, which holds partitions: one grant on a partition from reading it',
        r.rolname, n.nspname),
    pg_catalog.format('revoke usage on schema %I from public, anon, authenticated, service_role, authenticator',
        n.nspname)
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
cross join (values ('public'), ('anon'), ('authenticated'), ('service_role'), ('authenticator')) as r (rolname)
where
    c.relispartition and c.relkind in ('r', 'p')
    and n.nspname not in ('pg_catalog', 'information_schema', 'public')
    and (r.rolname = 'public' or exists (select from pg_catalog.pg_roles as x where x.rolname = r.rolname))
    and pg_catalog.has_schema_privilege(r.rolname, n.oid, 'usage')
