/* splinter 0005 unused_index (INFO, EXTERNAL, PERFORMANCE).
   An index that no scan has used since the statistics were reset costs writes and space and
   buys nothing yet. Unique and primary-key indexes are exempt (they enforce a constraint, used
   or not), as are tables of extensions and the schemas Supabase and extensions manage.
   Informational only: the counters start at zero on every fresh database. The partitions of a
   partitioned index are left out: a month nobody reads is no reason to drop the table's index. */
select
    'unused_index' as name,
    'INFO' as level,
    s.schemaname || '.' || s.relname as object,
    format('index %s on %I.%I has not been scanned since statistics were last reset',
           s.indexrelname, s.schemaname, s.relname) as detail,
    format('drop index %I.%I if no query needs it', s.schemaname, s.indexrelname) as remediation
from pg_catalog.pg_stat_user_indexes as s
inner join pg_catalog.pg_index as i on s.indexrelid = i.indexrelid
where
    s.idx_scan = 0
    and not (i.indisunique or i.indisprimary)
    and not (select c.relispartition from pg_catalog.pg_class as c where c.oid = s.indexrelid)
    and not exists (
        select from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = s.relid and d.deptype = 'e'
    )
    and s.schemaname <> all (array[
        'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
        'pg_catalog', 'pgbouncer', 'pgmq', 'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle',
        'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
        'topology', 'vault', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config',
        '_timescaledb_internal'
    ])
