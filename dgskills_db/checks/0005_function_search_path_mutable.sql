-- splinter 0011: a function without a fixed search_path can be hijacked through the caller's path.
select
    'function_search_path_mutable' as name,
    case when p.prosecdef then 'ERROR' else 'WARN' end as level,
    p.oid::regprocedure::text as object,
    case when p.prosecdef then 'SECURITY DEFINER function' else 'function' end
    || ' without a fixed search_path' as detail,
    format('alter function %s set search_path = ''''', p.oid::regprocedure) as remediation
from pg_catalog.pg_proc as p
where
    p.pronamespace in ('public'::regnamespace, 'app_private'::regnamespace)
    and not exists (
        select from pg_catalog.unnest(p.proconfig) as cfg where cfg like 'search_path=%'
    )
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.objid = p.oid and d.deptype = 'e'
    )
    -- Procedures too, as splinter reports them.
