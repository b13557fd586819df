/* splinter 0016 materialized_view_in_api (WARN, EXTERNAL, SECURITY).
   A materialized view cannot have row-level security: whoever may select it through the Data
   API reads every row it stored, whatever the policies of the tables it was built from. Found:
   materialized views in the schemas PostgREST serves (pgrst.db_schemas) that anon or
   authenticated may select, except those an extension owns. */
select
    'materialized_view_in_api' as name,
    'WARN' as level,
    n.nspname || '.' || c.relname as object,
    format('materialized view selectable by %s through the API, without row-level security',
           pg_catalog.array_to_string(array_remove(array[
               case when pg_catalog.has_table_privilege('anon', c.oid, 'SELECT') then 'anon' end,
               case when pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT') then 'authenticated' end
           ], null), ' and ')) as detail,
    format('revoke select on %I.%I from anon, authenticated (or move it to a schema the API does not serve)',
           n.nspname, c.relname) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind = 'm'
    and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
         or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))
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
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid and d.deptype = 'e'
    )
