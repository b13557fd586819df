-- requires: app_private.register_activity
-- requires: app_private.register_category
-- requires: app_private.register_column
-- requires: app_private.register_table
-- Processing register: an activity that claims a database footprint has one (a column that exists),
-- an activity declared to leave none ("niet opgeslagen") has none (no mapped column, no table or
-- column comment naming it), and a category said to be stored in the database is held by a column.
select
    'register_footprint_mismatch' as name,
    'ERROR' as level,
    a.ropa_id as object,
    format('register %s (%s) claims a database footprint; no existing column holds any of its categories',
        a.ropa_id, a.name_en) as detail,
    'map its categories to columns in register_column, or declare footprint ''none'' with the reason' as remediation
from app_private.register_activity as a
where
    a.footprint = 'database'
    and not exists (
        select from app_private.register_column as r
        inner join pg_catalog.pg_attribute as att
            on att.attrelid = pg_catalog.to_regclass(r.table_name) and r.column_name = att.attname
        where r.ropa_id = a.ropa_id and att.attnum > 0 and not att.attisdropped
    )
union all
select
    'register_footprint_mismatch',
    'ERROR',
    a.ropa_id,
    format('register %s (%s) says it stores nothing in the database (%s); %s',
        a.ropa_id, a.name_en, a.footprint_note, x.what),
    'remove what holds it from the database, or declare the footprint and map its categories'
from app_private.register_activity as a
cross join lateral (
    select format('register_column maps %s.%s to it', r.table_name, r.column_name) as what
    from app_private.register_column as r where r.ropa_id = a.ropa_id
    union all
    select format('register_table puts %s in it', t.table_name)
    from app_private.register_table as t where t.ropa_id = a.ropa_id
    union all
    select format('the comment on %s names it', c.oid::pg_catalog.regclass)
    from pg_catalog.pg_class as c
    where
        c.relkind in ('r', 'p')
        and coalesce(pg_catalog.obj_description(c.oid, 'pg_class') ~ ('\m' || a.ropa_id || '\M'), false)
    union all
    select format('the comment on column %s.%s names it', att.attrelid::pg_catalog.regclass, att.attname)
    from pg_catalog.pg_attribute as att
    inner join pg_catalog.pg_class as c on att.attrelid = c.oid
    where
        c.relkind in ('r', 'p') and att.attnum > 0
        and coalesce(pg_catalog.col_description(att.attrelid, att.attnum) ~ ('\m' || a.ropa_id || '\M'), false)
) as x
where a.footprint = 'none'
union all
select
    'register_footprint_mismatch',
    'ERROR',
    format('%s/%s', g.ropa_id, g.category),
    format('register %s says category "%s" is stored in the database; no column is mapped to it',
        g.ropa_id, g.label_nl),
    'map it in register_column, or mark it stored ''elsewhere''/''not_stored'' with a note'
from app_private.register_category as g
where
    g.stored = 'database'
    and not exists (
        select from app_private.register_column as r
        where r.ropa_id = g.ropa_id and r.category = g.category
    )
