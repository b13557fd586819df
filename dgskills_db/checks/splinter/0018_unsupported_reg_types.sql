/* splinter 0018 unsupported_reg_types (WARN, EXTERNAL, SECURITY).
   pg_upgrade refuses a database that stores values of the reg* types that name objects by OID
   (regproc, regprocedure, regoper, regoperator, regconfig, regdictionary, regnamespace,
   regcollation): those OIDs are not kept across the upgrade, so the values would point at the
   wrong objects. regclass, regtype and regrole are preserved and allowed. A column counts when
   its type is one of these, an array of one, or a domain over either. */
with bad_type as (
    select t.oid, t.typname
    from pg_catalog.pg_type as t
    where t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace
      and t.typname in ('regproc', 'regprocedure', 'regoper', 'regoperator', 'regconfig',
                        'regdictionary', 'regnamespace', 'regcollation')
),

column_type as (
    select
        a.attrelid, a.attname, a.atttypid,
        -- a domain's base type, then an array's element type
        coalesce(nullif(t.typbasetype, 0), a.atttypid) as base
    from pg_catalog.pg_attribute as a
    inner join pg_catalog.pg_type as t on a.atttypid = t.oid
    where a.attnum > 0 and not a.attisdropped
)

select
    'unsupported_reg_types' as name,
    'WARN' as level,
    n.nspname || '.' || c.relname as object,
    format('column %I is of type %s, which pg_upgrade cannot carry over', ct.attname,
           pg_catalog.format_type(ct.atttypid, null)) as detail,
    format('alter table %I.%I alter column %I type text using %I::text (store the name, resolve it when used)',
           n.nspname, c.relname, ct.attname, ct.attname) as remediation
from column_type as ct
inner join pg_catalog.pg_type as bt on ct.base = bt.oid
inner join pg_catalog.pg_class as c on ct.attrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    (bt.oid in (select oid from bad_type) or (bt.typcategory = 'A' and bt.typelem in (select oid from bad_type)))
    and n.nspname not in ('pg_catalog', 'information_schema', 'pgsodium')
