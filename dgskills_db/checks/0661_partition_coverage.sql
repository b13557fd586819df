-- requires: app_private.partition_rule
-- S-RET-3, S-RET-6 (partitioned retention): every declared partitioned table
-- (app_private.partition_rule) has a partition holding now and one holding a month from now,
-- and a default partition (without it an insert outside every partition fails); the default
-- partition stays empty (its rows are not dropped with their partition, only deleted row by
-- row, and block creating the partition of their time). app_private.maintain_partitions
-- keeps it so.
with bounds as (
    select
        pr.parent,
        c.oid as part,
        pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' as is_default,
        (pg_catalog.regexp_match(
            pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'
        )) as b
    from app_private.partition_rule as pr
    inner join pg_catalog.pg_inherits as i on pg_catalog.to_regclass(pr.parent) = i.inhparent
    inner join pg_catalog.pg_class as c on i.inhrelid = c.oid
),

needed as (
    select
        pr.parent,
        m.at
    from app_private.partition_rule as pr
    cross join (values (pg_catalog.now()), (pg_catalog.now() + interval '1 month')) as m (at)
    where pg_catalog.to_regclass(pr.parent) is not null
)

select
    'partition_coverage' as name,
    'ERROR' as level,
    nd.parent as object,
    pg_catalog.format('no partition holds %s: such rows land in the default partition', nd.at::date) as detail,
    'run the job maintain_partitions (its command in app_private.retention_job) and read app_private.retention_run for why it did not' as remediation
from needed as nd
where not exists (
    select from bounds as b
    where b.parent = nd.parent and not b.is_default and b.b[1]::timestamptz <= nd.at and nd.at < b.b[2]::timestamptz
)
union all
select
    'partition_coverage',
    'ERROR',
    pr.parent,
    'has no default partition: an insert outside every partition fails',
    'run the job maintain_partitions (its command in app_private.retention_job)'
from app_private.partition_rule as pr
where
    pg_catalog.to_regclass(pr.parent) is not null
    and not exists (select from bounds as b where b.parent = pr.parent and b.is_default)
union all
select
    'partition_coverage',
    'WARN',
    b.part::pg_catalog.regclass::text,
    pg_catalog.format(
        '%s row(s) in the default partition of %s: retention cannot drop them with their partition', n.rows, b.parent
    ),
    'create the partitions of their time (detach the default partition, create them, move the rows, attach it again)'
from bounds as b
cross join lateral (
    select
        (pg_catalog.xpath(
            '/row/n/text()',
            pg_catalog.query_to_xml(pg_catalog.format('select count(*) as n from %s', b.part::pg_catalog.regclass),
                false, true, '')
        ))[1]::text::bigint as rows
) as n
where b.is_default and n.rows > 0
union all
select
    'partition_coverage',
    'ERROR',
    pr.parent,
    'declared partitioned, but it is not a partitioned table',
    'deploy sql/schema/6533_partitioned_retention.sql or fix sql/cron/0100_retention.sql'
from app_private.partition_rule as pr
where
    pg_catalog.to_regclass(pr.parent) is null
    or (select c.relkind from pg_catalog.pg_class as c where c.oid = pg_catalog.to_regclass(pr.parent)) <> 'p'
