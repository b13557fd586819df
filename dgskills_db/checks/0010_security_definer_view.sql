-- splinter 0010 / S-RLS-5: views in public must be security_invoker, or they bypass RLS as their owner.
select
    'security_definer_view' as name,
    'ERROR' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    'view runs with its owner''s privileges (no security_invoker): RLS of the caller is bypassed' as detail,
    format('alter view %I.%I set (security_invoker = true)', n.nspname, c.relname) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = 'public' and c.relkind = 'v'
    and not coalesce(c.reloptions @> array['security_invoker=true'] or c.reloptions @> array['security_invoker=on'], false)
