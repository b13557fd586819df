/* splinter 0015 rls_references_user_metadata (ERROR, EXTERNAL, SECURITY).
   user_metadata in a Supabase Auth token is what the user set for themselves (auth.updateUser),
   so a policy that decides on it lets anyone grant themselves the access it guards. Found by
   the deparsed USING and WITH CHECK expressions: user_metadata after a read of the claims
   (auth.jwt(), or current_setting of request.jwt.claims). One finding per policy; tables in
   the schemas Supabase and extensions manage are left out. */
with policy_text as (
    select
        p.polname, n.nspname, c.relname,
        coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') as using_expr,
        coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') as check_expr
    from pg_catalog.pg_policy as p
    inner join pg_catalog.pg_class as c on p.polrelid = c.oid
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where n.nspname <> all (array[
        'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
        'pg_catalog', 'pgbouncer', 'pgmq', 'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle',
        'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
        'topology', 'vault', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config',
        '_timescaledb_internal'
    ])
)

select
    'rls_references_user_metadata' as name,
    'ERROR' as level,
    t.nspname || '.' || t.relname as object,
    format('policy %I decides on user_metadata of the token, which every user can edit for themselves', t.polname)
    as detail,
    'decide on app_metadata or on a table the user cannot write (e.g. public.users.role), never on user_metadata'
    as remediation
from policy_text as t
where exists (
    select from pg_catalog.unnest(array[t.using_expr, t.check_expr]) as e (expr)
    where e.expr ~ '(auth\.jwt\(\)|current_setting\(.*request\.jwt\.claims.*\)).*user_metadata'
)
