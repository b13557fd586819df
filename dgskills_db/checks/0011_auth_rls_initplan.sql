-- splinter 0003, extended to our helpers (S-RLS-4): identity calls in policies must be wrapped
-- as (select f()) so they run once per statement, not once per row.
with pol as (
    select
        p.polname, p.polrelid,
        coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ' '
        || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
    from pg_catalog.pg_policy as p
),

calls as (
    select
        polname, polrelid,
        (select count(*) from pg_catalog.regexp_matches(
            expr, '(auth\.(uid|jwt|role)|app_private\.[a-z_]+|is_teacher)\(\)', 'g')) as n_calls,
        (select count(*) from pg_catalog.regexp_matches(
            expr, 'SELECT (auth\.(uid|jwt|role)|app_private\.[a-z_]+|(public\.)?is_teacher)\(\) AS', 'g')) as n_wrapped
    from pol
)

select
    'auth_rls_initplan' as name,
    'WARN' as level,
    format('%s: policy %I', polrelid::regclass, polname) as object,
    format('%s identity/helper call(s) not wrapped in (select ...): evaluated once per row', n_calls - n_wrapped)
    as detail,
    'write (select auth.uid()) / (select app_private.f()) instead of the bare call' as remediation
from calls
where n_calls > n_wrapped
