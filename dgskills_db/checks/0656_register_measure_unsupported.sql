-- requires: app_private.register_measure
-- requires: app_private.retention_job
-- requires: app_private.retention_rule
-- Processing register: each technical measure the register claims for a table is one the catalog
-- shows: rls (row-level security on), cascade (rows about a user go with the account: a foreign key
-- to users ON DELETE CASCADE), school_scope / class_scope (a policy, or a helper it calls directly or
-- through other helpers, bounds rows by the school / by class_teachers), append_only (no API role may
-- update, delete or truncate), retention_job (a declared retention rule deletes from it), rpc (signed-in users may execute the
-- function that exercises a data-subject right).
with recursive m as (
    select
        m.ropa_id,
        m.measure,
        m.table_name,
        pg_catalog.to_regclass(m.table_name) as oid,
        case
            when m.table_name = 'public.users' then pg_catalog.to_regclass('auth.users')
            else pg_catalog.to_regclass('public.users')
        end as user_table
    from app_private.register_measure as m
    where case when m.measure = 'rpc' then false else pg_catalog.to_regclass(m.table_name) is not null end
),

pol as (
    select
        p.polrelid,
        coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')
        || ' ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
    from pg_catalog.pg_policy as p
),

-- the product's helpers each policy reaches: those it names, and those they name, transitively
reach as (
    select
        pol.polrelid,
        f.oid as fid
    from pol
    inner join pg_catalog.pg_proc as f
        on
            f.pronamespace in ('app_private'::regnamespace, 'public'::regnamespace)
            and pol.expr ~ ('\m' || f.proname || '\(')
    union
    select
        r.polrelid,
        g.oid as fid
    from reach as r
    inner join pg_catalog.pg_proc as f on r.fid = f.oid
    inner join pg_catalog.pg_proc as g
        on
            g.pronamespace in ('app_private'::regnamespace, 'public'::regnamespace)
            and f.prosrc ~ ('\m' || g.proname || '\(')
),

scoped as (
    select
        pol.polrelid,
        pol.expr ~ 'school' or exists (
            select from reach as r
            inner join pg_catalog.pg_proc as f on r.fid = f.oid
            where r.polrelid = pol.polrelid and f.prosrc ~ 'school'
        ) as by_school,
        pol.expr ~ 'class_teachers' or exists (
            select from reach as r
            inner join pg_catalog.pg_proc as f on r.fid = f.oid
            where r.polrelid = pol.polrelid and f.prosrc ~ 'class_teachers'
        ) as by_class,
        pol.expr ~ '^\s*true\s*$' as open
    from pol
),

ev as (
    select
        m.*,
        case m.measure
            when 'rls' then (select c.relrowsecurity from pg_catalog.pg_class as c where c.oid = m.oid)
            when 'cascade' then exists (
                select from pg_catalog.pg_constraint as k
                where k.conrelid = m.oid and k.contype = 'f' and k.confrelid = m.user_table and k.confdeltype = 'c'
            )
            when 'school_scope' then
                exists (select from scoped as s where s.polrelid = m.oid and s.by_school)
                and not exists (select from scoped as s where s.polrelid = m.oid and s.open)
            when 'class_scope' then
                exists (select from scoped as s where s.polrelid = m.oid and s.by_class)
                and not exists (select from scoped as s where s.polrelid = m.oid and s.open)
            when 'append_only' then not exists (
                select from pg_catalog.pg_roles as r
                where
                    r.rolname in ('anon', 'authenticated', 'service_role')
                    and (
                        pg_catalog.has_table_privilege(r.oid, m.oid, 'UPDATE')
                        or pg_catalog.has_table_privilege(r.oid, m.oid, 'DELETE')
                        or pg_catalog.has_table_privilege(r.oid, m.oid, 'TRUNCATE')
                    )
            )
            when 'retention_job' then exists (
                select from app_private.retention_rule as rr
                inner join app_private.retention_job as j on rr.job = j.job
                where
                    pg_catalog.to_regclass(rr.target) = m.oid
                    and coalesce(pg_catalog.to_jsonb(rr) ->> 'action', 'delete') = 'delete'
            )
        end as holds,
        case m.measure
            when 'rls' then 'row-level security is disabled'
            when 'cascade' then coalesce('its foreign keys to ' || m.user_table::text || ' are ' || (
                select pg_catalog.string_agg(
                    k.conname || ' ' || case k.confdeltype
                        when 'n' then 'set null' when 'a' then 'no action' when 'r' then 'restrict'
                        when 'd' then 'set default' else 'cascade'
                    end, ', ' order by k.conname
                )
                from pg_catalog.pg_constraint as k
                where k.conrelid = m.oid and k.contype = 'f' and k.confrelid = m.user_table
            ), 'it has no foreign key to ' || m.user_table::text)
            when 'school_scope' then 'no policy (nor a helper it calls) bounds its rows by school, or a policy is open (true)'
            when 'class_scope' then 'no policy (nor a helper it calls) bounds its rows by class_teachers'
            when 'append_only' then 'an API role holds ' || (
                select pg_catalog.string_agg(r.rolname || ' ' || pv.p, ', ' order by r.rolname, pv.p)
                from pg_catalog.pg_roles as r
                cross join (values ('UPDATE'), ('DELETE'), ('TRUNCATE')) as pv (p)
                where
                    r.rolname in ('anon', 'authenticated', 'service_role')
                    and pg_catalog.has_table_privilege(r.oid, m.oid, pv.p)
            )
            when 'retention_job' then 'no rule of the retention declaration deletes from it'
        end as shows
    from m
),

-- rpc: a right the data subject exercises by calling a function (V-15)
rpc as (
    select
        m.ropa_id,
        m.measure,
        m.table_name,
        pg_catalog.has_function_privilege('authenticated', f.oid, 'EXECUTE') as holds
    from app_private.register_measure as m
    -- (a CASE, so that no table name is ever parsed as a signature)
    cross join lateral (
        select case when m.measure = 'rpc' then pg_catalog.to_regprocedure(m.table_name) end::oid as oid
    ) as f
    where f.oid is not null
)

select
    'register_measure_unsupported' as name,
    'ERROR' as level,
    format('%s %s %s', ev.ropa_id, ev.measure, ev.table_name) as object,
    format('register %s claims %s for %s; the catalog shows %s', ev.ropa_id, ev.measure, ev.table_name, ev.shows)
    as detail,
    format('restore the measure in the schema, or drop the claim (%s, %s) from register_measure and correct the '
        || 'measures text of %s (sql/register/0100_register.sql)', ev.measure, ev.table_name, ev.ropa_id) as remediation
from ev
where not coalesce(ev.holds, false)
union all
select
    'register_measure_unsupported',
    'ERROR',
    format('%s %s %s', rpc.ropa_id, rpc.measure, rpc.table_name),
    format('register %s claims %s for %s; the catalog shows that signed-in users (authenticated) may not execute it',
        rpc.ropa_id, rpc.measure, rpc.table_name),
    format('grant execute on function %s to authenticated (sql/functions), or drop the claim from register_measure',
        rpc.table_name)
from rpc
where not rpc.holds
