-- S-VER / splinter 0013: a table in an exposed schema without row-level security.
select
    'rls_disabled_in_public' as name,
    'ERROR' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    'row-level security is disabled: every API role with a grant reads and writes all rows' as detail,
    format('alter table %I.%I enable row level security; then declare its policies', n.nspname, c.relname) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity
