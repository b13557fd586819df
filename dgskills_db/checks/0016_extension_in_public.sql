-- splinter 0014: extensions installed in public expose their functions to the API.
select
    'extension_in_public' as name,
    'WARN' as level,
    e.extname as object,
    'extension installed in schema public' as detail,
    format('alter extension %I set schema extensions', e.extname) as remediation
from pg_catalog.pg_extension as e
where
    e.extnamespace = 'public'::regnamespace and e.extname <> 'plpgsql'
    -- pg_cron records public as its schema but keeps its objects in schema cron: only count
    -- extensions that really put functions or tables in public.
    and exists (
        select from pg_catalog.pg_depend as d
        left join pg_catalog.pg_proc as p on d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid
        left join pg_catalog.pg_class as c on d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid
        where
            d.refobjid = e.oid and d.deptype = 'e'
            and (p.pronamespace = 'public'::regnamespace or c.relnamespace = 'public'::regnamespace)
    )
