-- splinter 0004: tables without a primary key.
select
    'no_primary_key' as name,
    'WARN' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    'table has no primary key' as detail,
    'add a primary key' as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname in ('public', 'app_private') and c.relkind in ('r', 'p')
    and not exists (select from pg_catalog.pg_constraint as k where k.conrelid = c.oid and k.contype = 'p')
