-- splinter 0008: RLS on but no policy: nobody but owners and BYPASSRLS roles see anything.
select
    'rls_enabled_no_policy' as name,
    'WARN' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    'row-level security is enabled but the table has no policy' as detail,
    'declare the policies of SPEC §6 in sql/policies/ (or drop the grants if the table is internal)' as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = 'public' and c.relkind in ('r', 'p') and c.relrowsecurity
    and not exists (select from pg_catalog.pg_policy as p where p.polrelid = c.oid)
