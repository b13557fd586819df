-- S-DATA-3: every table in public, and every column of a table that references users, states its
-- ROPA processing id and retention in COMMENT ON (the register annex is rendered from them).
select
    'personal_data_uncommented' as name,
    'ERROR' as level,
    format('%I.%I', n.nspname, c.relname) as object,
    'table comment must state purpose, ROPA id (V-xx), legal basis and retention' as detail,
    format('comment on table %I.%I is ''<purpose>. ROPA V-xx. Legal basis: ... Retention: ...''',
        n.nspname, c.relname) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = 'public' and c.relkind in ('r', 'p')
    and not coalesce(
        pg_catalog.obj_description(c.oid, 'pg_class') ~ 'V-[0-9]{2}'
        and pg_catalog.obj_description(c.oid, 'pg_class') ~* 'retention'
        and pg_catalog.obj_description(c.oid, 'pg_class') ~* 'legal basis',
        false
    )
union all
select
    'personal_data_uncommented',
    'ERROR',
    format('%I.%I.%I', n.nspname, c.relname, a.attname),
    'personal-data column comment must state its ROPA id (V-xx) and retention',
    format('comment on column %I.%I.%I is ''<what>. ROPA V-xx. Retention: ...''', n.nspname, c.relname, a.attname)
from pg_catalog.pg_attribute as a
inner join pg_catalog.pg_class as c on a.attrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    and a.attname not in ('id', 'created_at', 'updated_at')
    and (
        c.relname = 'users'
        or exists (
            select from pg_catalog.pg_constraint as f
            where f.conrelid = c.oid and f.contype = 'f' and f.confrelid = 'public.users'::regclass
        )
    )
    and not coalesce(
        pg_catalog.col_description(c.oid, a.attnum) ~ 'V-[0-9]{2}'
        and pg_catalog.col_description(c.oid, a.attnum) ~* 'retention', false
    )
