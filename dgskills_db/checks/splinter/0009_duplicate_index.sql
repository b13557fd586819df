/* splinter 0009 duplicate_index (WARN, EXTERNAL, PERFORMANCE).
   Two indexes of a table that are the same index under another name (same access method, key
   columns and expressions, operator classes, collations, sort options, included columns,
   uniqueness and predicate) both cost every write and serve the same queries: one is enough.
   Tables and materialized views outside the schemas Supabase and extensions manage, and not
   belonging to an extension. */
with shape as (
    select
        i.indrelid,
        ic.relname as index_name,
        pg_catalog.concat_ws(
            ' | ', ic.relam::text, i.indnkeyatts::text, i.indkey::text, i.indclass::text,
            i.indcollation::text, i.indoption::text, i.indisunique::text, i.indnullsnotdistinct::text,
            pg_catalog.pg_get_expr(i.indexprs, i.indrelid), pg_catalog.pg_get_expr(i.indpred, i.indrelid)
        ) as signature
    from pg_catalog.pg_index as i
    inner join pg_catalog.pg_class as ic on i.indexrelid = ic.oid
),

duplicates as (
    select indrelid, pg_catalog.array_agg(index_name order by index_name) as indexes
    from shape
    group by indrelid, signature
    having count(*) > 1
)

select
    'duplicate_index' as name,
    'WARN' as level,
    n.nspname || '.' || c.relname as object,
    format('identical indexes %s on %I.%I', pg_catalog.array_to_string(d.indexes, ', '), n.nspname, c.relname)
    as detail,
    format('keep one of them: drop index %s', pg_catalog.array_to_string(
        array(select format('%I.%I', n.nspname, x) from pg_catalog.unnest(d.indexes[2:]) as x), ', '
    )) as remediation
from duplicates as d
inner join pg_catalog.pg_class as c on d.indrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    c.relkind in ('r', 'm')
    and not exists (
        select from pg_catalog.pg_depend as dep
        where dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and dep.objid = c.oid and dep.deptype = 'e'
    )
    and n.nspname <> all (array[
        'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
        'pg_catalog', 'pgbouncer', 'pgmq', 'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle',
        'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
        'topology', 'vault', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config',
        '_timescaledb_internal'
    ])
