/* splinter 0026 pg_graphql_anon_table_exposed (WARN, EXTERNAL, SECURITY).
   pg_graphql builds the GraphQL schema a caller sees from that caller's privileges: every
   table, view, materialized view or foreign table of which anon may select any column (a
   table grant or a column grant) is listed, with its columns and relationships, to whoever
   holds the public anon key, row-level security or not. Runs only when pg_graphql is
   installed. Partitioned parents are not in pg_graphql's schema (their partitions are). The
   same for signed-in users: pg_graphql_authenticated_table_exposed. */
select
    'pg_graphql_anon_table_exposed' as name,
    'WARN' as level,
    n.nspname || '.' || c.relname as object,
    format('%s visible in the GraphQL schema to anyone with the anon key: anon may select from it',
           case c.relkind when 'r' then 'table' when 'v' then 'view'
                          when 'm' then 'materialized view' else 'foreign table' end) as detail,
    format('revoke select on %I.%I from anon, unless it is meant to be discoverable before sign-in',
           n.nspname, c.relname) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    exists (select from pg_catalog.pg_extension as e where e.extname = 'pg_graphql')
    and c.relkind in ('r', 'v', 'm', 'f')
    and pg_catalog.has_any_column_privilege('anon', c.oid, 'SELECT')
    and n.nspname <> all (array[
        'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
        'pg_catalog', 'pgbouncer', 'pgmq', 'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle',
        'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
        'topology', 'vault', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config',
        '_timescaledb_internal'
    ])
