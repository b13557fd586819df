-- splinter 0006: more than one permissive policy for one role and action: all are evaluated, OR-ed.
with expanded as (
    select
        p.polrelid, p.polname, r.rolname,
        a.action
    from pg_catalog.pg_policy as p
    cross join lateral pg_catalog.unnest(
        case p.polcmd
            when '*' then array['select', 'insert', 'update', 'delete']
            when 'r' then array['select'] when 'a' then array['insert']
            when 'w' then array['update'] when 'd' then array['delete']
        end
    ) as a (action)
    cross join lateral pg_catalog.unnest(p.polroles) as pr (oid)
    left join pg_catalog.pg_roles as r on pr.oid = r.oid
    where p.polpermissive
)

select
    'multiple_permissive_policies' as name,
    'WARN' as level,
    format('%s (%s, %s)', polrelid::regclass, coalesce(rolname, 'public'), action) as object,
    format('%s permissive policies: %s', count(*), string_agg(polname, ', ' order by polname)) as detail,
    'merge them into one policy per role and action' as remediation
from expanded
group by polrelid, rolname, action
having count(*) > 1
