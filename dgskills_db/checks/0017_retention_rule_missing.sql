-- S-RET / S-VER: a table whose comment states a finite retention ("Retention: 1 year ...") must
-- have a rule in the retention declaration, and every rule must point at an existing table.
select
    'retention_rule_missing' as name,
    'ERROR' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    format('comment states a finite retention (%s) but no retention rule deletes from it',
        pg_catalog.substring(pg_catalog.obj_description(c.oid, 'pg_class'),
            '[Rr]etention: ([0-9]+ (?:day|days|year|years|month|months))')) as detail,
    'declare the rule in sql/cron/0100_retention.sql' as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname in ('public', 'app_private') and c.relkind in ('r', 'p')
    and pg_catalog.obj_description(c.oid, 'pg_class') ~ '[Rr]etention: [0-9]+ (day|days|year|years|month|months)'
    and pg_catalog.to_regclass('app_private.retention_rule') is not null
    and not exists (
        select from app_private.retention_rule as r
        where pg_catalog.to_regclass(r.target) = c.oid
    )
union all
select
    'retention_rule_missing',
    'ERROR',
    r.job || ' -> ' || r.target,
    'retention rule names a table that does not exist',
    'fix the target in sql/cron/0100_retention.sql'
from app_private.retention_rule as r
where
    pg_catalog.to_regclass(r.target) is null
    and r.target <> 'cron.job_run_details'
