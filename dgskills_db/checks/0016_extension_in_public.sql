-- splinter 0014: extensions installed in public expose their functions to the API. As
-- splinter, by the schema the extension records (pg_cron keeps its objects in schema cron
-- but is reported all the same: Supabase creates it `with schema pg_catalog`).
select
    'extension_in_public' as name,
    'WARN' as level,
    e.extname as object,
    'extension installed in schema public' as detail,
    case
        when x.relocatable then format('alter extension %I set schema extensions', e.extname)
        else format(
            'not relocatable: drop extension %1$I, then create extension %1$I with schema pg_catalog '
            || '(for pg_cron: its jobs go with it; `migrate.py up` schedules ours again)', e.extname
        )
    end as remediation
from pg_catalog.pg_extension as e
left join lateral (
    select bool_and(v.relocatable) as relocatable
    from pg_catalog.pg_available_extension_versions as v
    where v.name = e.extname and v.version = e.extversion
) as x on true
where
    e.extnamespace = 'public'::regnamespace and e.extname <> 'plpgsql'
