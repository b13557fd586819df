-- splinter 0001 / S-DATA-2: every foreign key is covered by an index whose leading columns are the key.
select
    'unindexed_foreign_keys' as name,
    'WARN' as level,
    format('%s.%s', c.conrelid::regclass, c.conname) as object,
    format('foreign key (%s) has no covering index: deletes of the referenced row scan the table',
        (select string_agg(a.attname, ', ') from pg_catalog.pg_attribute as a
         where a.attrelid = c.conrelid and a.attnum = any(c.conkey))) as detail,
    format('create index on %s (%s)', c.conrelid::regclass,
        (select string_agg(a.attname, ', ') from pg_catalog.pg_attribute as a
         where a.attrelid = c.conrelid and a.attnum = any(c.conkey))) as remediation
from pg_catalog.pg_constraint as c
where
    c.contype = 'f'
    and c.connamespace in ('public'::regnamespace, 'app_private'::regnamespace)
    and not exists (
        select from pg_catalog.pg_index as i
        where
            i.indrelid = c.conrelid
            and (i.indkey::int2 [])[0:pg_catalog.cardinality(c.conkey) - 1] operator (pg_catalog.@>) c.conkey
            and (i.indkey::int2 [])[0:pg_catalog.cardinality(c.conkey) - 1] operator (pg_catalog.<@) c.conkey
    )
