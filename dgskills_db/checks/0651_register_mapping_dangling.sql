-- requires: app_private.register_column
-- requires: app_private.register_measure
-- requires: app_private.register_table
-- Processing register: every table and column the register names exists (a renamed or dropped
-- column leaves the register claiming data the database no longer holds).
select
    'register_mapping_dangling' as name,
    'ERROR' as level,
    format('%s.%s', r.table_name, r.column_name) as object,
    format('register %s (category %s) names column %s.%s; the catalog has no such %s',
        r.ropa_id, r.category, r.table_name, r.column_name,
        case when pg_catalog.to_regclass(r.table_name) is null then 'table' else 'column' end) as detail,
    'correct or remove the row in register_column (sql/register/0100_register.sql)' as remediation
from app_private.register_column as r
where not exists (
    select from pg_catalog.pg_attribute as a
    where
        a.attrelid = pg_catalog.to_regclass(r.table_name) and a.attname = r.column_name
        and a.attnum > 0 and not a.attisdropped
)
union all
select
    'register_mapping_dangling',
    'ERROR',
    t.table_name,
    format('register %s names table %s (retention %s); the catalog has no such table',
        t.ropa_id, t.table_name, coalesce(t.keep::text, t.retention)),
    'correct or remove the row in register_table (sql/register/0100_register.sql)'
from app_private.register_table as t
where pg_catalog.to_regclass(t.table_name) is null
union all
select
    'register_mapping_dangling',
    'ERROR',
    m.table_name,
    format('register %s claims %s for %s; the catalog has no such %s', m.ropa_id, m.measure, m.table_name,
        case when m.measure = 'rpc' then 'function' else 'table' end),
    'correct or remove the row in register_measure (sql/register/0100_register.sql)'
from app_private.register_measure as m
where
    case
        when m.measure = 'rpc' then pg_catalog.to_regprocedure(m.table_name) is null
        else pg_catalog.to_regclass(m.table_name) is null
    end
