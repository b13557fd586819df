/* splinter 0020 table_bloat (INFO, EXTERNAL, PERFORMANCE).
   A heap table whose pages hold far more space than its live rows need: dead rows that vacuum
   made reusable but never gave back. Estimated from the planner's statistics (pg_stats column
   widths and null fractions, pg_class.reltuples and relpages): a row costs its aligned tuple
   header with the null bitmap, its average data width and a line pointer, and a page offers
   block_size less its header. Reported when the table is more than 70 times the size its rows
   need and wastes more than 20 MB; tables never analysed have no statistics and are skipped. */
with param as (
    select pg_catalog.current_setting('block_size')::numeric as page_bytes, 8 as align
),

row_width as (
    select
        s.schemaname, s.tablename,
        sum((1 - s.null_frac) * s.avg_width) as data_bytes,
        -- the null bitmap is there only when some column holds nulls
        case when max(s.null_frac) > 0 then ceil(count(*) / 8.0) else 0 end as bitmap_bytes
    from pg_catalog.pg_stats as s
    where not s.inherited
    group by s.schemaname, s.tablename
),

estimate as (
    select
        n.nspname, c.relname, c.relpages::numeric as pages, p.page_bytes,
        ceil(c.reltuples * (
            ceil((23 + w.bitmap_bytes) / p.align) * p.align   -- header and null bitmap
            + ceil(w.data_bytes / p.align) * p.align          -- the values
            + 4                                                -- line pointer
        ) / (p.page_bytes - 24)) as needed_pages
    from row_width as w
    inner join pg_catalog.pg_namespace as n on w.schemaname = n.nspname
    inner join pg_catalog.pg_class as c on c.relnamespace = n.oid and w.tablename = c.relname
    cross join param as p
    where
        c.relkind = 'r'
        and c.relam = (select am.oid from pg_catalog.pg_am as am where am.amname = 'heap')
        and n.nspname <> 'information_schema'
        and c.reltuples >= 0  -- -1: never vacuumed or analysed, no row count yet
)

select
    'table_bloat' as name,
    'INFO' as level,
    e.nspname || '.' || e.relname as object,
    format('%s pages where its rows need about %s: %s wasted',
           e.pages, e.needed_pages,
           pg_catalog.pg_size_pretty(((e.pages - e.needed_pages) * e.page_bytes)::bigint)) as detail,
    format('vacuum full %I.%I (takes an exclusive lock: plan downtime) or pg_repack it; '
           'then tune autovacuum for the table so dead rows are reclaimed sooner', e.nspname, e.relname)
    as remediation
from estimate as e
where
    e.pages > 70 * e.needed_pages
    and (e.pages - e.needed_pages) * e.page_bytes > 20 * 1024 * 1024
