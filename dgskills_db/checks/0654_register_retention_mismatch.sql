-- requires: app_private.register_table
-- requires: app_private.retention_rule
-- Processing register: a table's retention in the register (account lifetime, school lifetime, or a
-- period) equals what its table comment, its column comments and the retention declaration
-- (app_private.retention_rule, which pg_cron runs) say. One finding per place that disagrees. Only
-- rules that delete rows count; a column that a 'nullify' rule empties earlier may say so in its comment.
with reg as (
    select
        r.table_name,
        r.ropa_id,
        r.retention,
        r.keep,
        pg_catalog.to_regclass(r.table_name) as oid,
        case when r.retention = 'period' then r.keep::text else r.retention || ' lifetime' end as said
    from app_private.register_table as r
    where pg_catalog.to_regclass(r.table_name) is not null
),

stated as (
    select
        reg.table_name as object,
        null::name as col,
        reg.*,
        'table comment' as place,
        pg_catalog.obj_description(reg.oid, 'pg_class') as cmt
    from reg
    union all
    select
        format('%s.%s', reg.table_name, a.attname),
        a.attname,
        reg.*,
        'column comment',
        pg_catalog.col_description(reg.oid, a.attnum)
    from reg
    inner join pg_catalog.pg_attribute as a on reg.oid = a.attrelid
    where
        a.attnum > 0 and not a.attisdropped
        and pg_catalog.col_description(reg.oid, a.attnum) ~* 'Retention:'
),

parsed as (
    select
        s.*,
        case
            when s.cmt ~* 'Retention:\s*[0-9]+ (day|days|week|weeks|month|months|year|years)\M' then 'period'
            when s.cmt ~* 'Retention:\s*(account lifetime|while the account)' then 'account'
            when s.cmt ~* 'Retention:\s*(with the school|until offboarded)' then 'school'
            else 'unstated'
        end as c_retention,
        pg_catalog.substring(
            s.cmt, '[Rr]etention:\s*([0-9]+ (?:day|days|week|weeks|month|months|year|years))'
        )::interval as c_keep,
        pg_catalog.substring(s.cmt, '[Rr]etention:\s*([^.;(]*)') as c_text
    from stated as s
)

select
    'register_retention_mismatch' as name,
    'ERROR' as level,
    p.object,
    format('%s of %s says retention "%s"; register %s says %s',
        p.place, p.object, pg_catalog.btrim(coalesce(p.c_text, 'nothing')), p.ropa_id, p.said) as detail,
    format('make them equal: the comment (new file in sql/schema) or register_table in sql/register/0100_register.sql '
        || '(and the rule in sql/cron/0100_retention.sql)') as remediation
from parsed as p
where
    (p.place = 'table comment' or p.c_retention <> 'unstated')
    and (p.c_retention <> p.retention or (p.retention = 'period' and p.c_keep is distinct from p.keep))
    -- a column the retention declaration empties earlier than its row goes (a 'nullify' rule) states
    -- that rule's period; the rule itself is compared below
    and not exists (
        select from app_private.retention_rule as rr
        where
            pg_catalog.to_regclass(rr.target) = p.oid
            and p.object = format('%s.%s', p.table_name, pg_catalog.to_jsonb(rr) ->> 'nullify_column')
            and rr.keep = p.c_keep
    )
union all
select
    'register_retention_mismatch',
    'ERROR',
    format('%s -> %s', rr.job, reg.table_name),
    format('retention declaration (job %s) keeps %s %s; register %s says %s',
        rr.job, reg.table_name, rr.keep, reg.ropa_id, reg.said),
    'make them equal: the rule in sql/cron/0100_retention.sql or register_table in sql/register/0100_register.sql'
from reg
inner join app_private.retention_rule as rr on pg_catalog.to_regclass(rr.target) = reg.oid
where
    -- rules that delete rows (a rule that only empties a column does not shorten the row's life)
    coalesce(pg_catalog.to_jsonb(rr) ->> 'action', 'delete') = 'delete'
    and (reg.retention <> 'period' or rr.keep <> reg.keep)
    -- nor the lifecycle rules (offboarding, leavers: a deadline), which end accounts and schools
    -- within the account's or school's life
    and pg_catalog.to_jsonb(rr) ->> 'deadline' is null
union all
select
    'register_retention_mismatch',
    'ERROR',
    reg.table_name,
    format('register %s says %s is kept %s; no rule of the retention declaration deletes from it',
        reg.ropa_id, reg.table_name, reg.keep),
    'declare the rule in sql/cron/0100_retention.sql (or correct register_table)'
from reg
where
    reg.retention = 'period'
    and not exists (
        select from app_private.retention_rule as rr
        where
            pg_catalog.to_regclass(rr.target) = reg.oid
            and coalesce(pg_catalog.to_jsonb(rr) ->> 'action', 'delete') = 'delete'
    )
