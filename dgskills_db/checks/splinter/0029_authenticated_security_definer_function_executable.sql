/* splinter 0029 authenticated_security_definer_function_executable (WARN, EXTERNAL, SECURITY).
   A SECURITY DEFINER function runs as its owner, past the row-level security of every table it
   touches. In a schema PostgREST serves, one that authenticated may execute is an endpoint
   (/rest/v1/rpc/<name>) every signed-in user can call: fine when the function checks its caller
   itself, a hole when it does not. WARN, so that each such function is either made invoker,
   revoked, or declared (with its reason) as a waiver. The object names the function with its
   arguments as pg_get_function_identity_arguments writes them. For anon:
   anon_security_definer_function_executable (checks/). */
select
    'authenticated_security_definer_function_executable' as name,
    'WARN' as level,
    format('%s.%s(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as object,
    format('SECURITY DEFINER %s that every signed-in user may call (/rest/v1/rpc/%s)',
           case p.prokind when 'p' then 'procedure' else 'function' end, p.proname) as detail,
    format('revoke execute on function %s from authenticated, or make it security invoker, '
           'or declare why it is safe in app_private.verify_waiver', p.oid::pg_catalog.regprocedure) as remediation
from pg_catalog.pg_proc as p
inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where
    p.prosecdef
    and pg_catalog.has_function_privilege('authenticated', p.oid, 'EXECUTE')
    and n.nspname in (
        select pg_catalog.btrim(s)
        from pg_catalog.string_to_table(pg_catalog.current_setting('pgrst.db_schemas', true), ',') as s
    )
    and n.nspname <> all (array[
        'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
        'pg_catalog', 'pgbouncer', 'pgmq', 'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle',
        'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
        'topology', 'vault', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config',
        '_timescaledb_internal'
    ])
