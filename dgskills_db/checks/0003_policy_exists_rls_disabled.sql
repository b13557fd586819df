-- splinter 0007: policies that are not enforced because RLS is off.
select
    'policy_exists_rls_disabled' as name,
    'ERROR' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    format('%s polic(ies) exist but row-level security is disabled: they are ignored', count(*)) as detail,
    format('alter table %I.%I enable row level security', n.nspname, c.relname) as remediation
from pg_catalog.pg_policy as p
inner join pg_catalog.pg_class as c on p.polrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where not c.relrowsecurity
group by n.nspname, c.relname
