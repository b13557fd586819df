-- requires: app_private.register_activity
-- requires: app_private.register_table
-- Processing register: the legal bases a table's comment states (Art. 6(1)(x) after "Legal basis:")
-- equal those of its activity in the register.
with t as (
    select
        r.table_name,
        r.ropa_id,
        array(select x from pg_catalog.unnest(a.legal_bases) as x order by 1) as register_bases,
        array(
            select distinct m[1]
            from pg_catalog.regexp_matches(
                coalesce(pg_catalog.substring(
                    pg_catalog.obj_description(pg_catalog.to_regclass(r.table_name), 'pg_class'),
                    'Legal basis:(.*?)(?:Retention:|$)'
                ), ''),
                '6\(1\)\(([a-f])\)', 'g'
            ) as m
            order by 1
        ) as comment_bases
    from app_private.register_table as r
    inner join app_private.register_activity as a on r.ropa_id = a.ropa_id
    where pg_catalog.to_regclass(r.table_name) is not null
)

select
    'register_legal_basis_mismatch' as name,
    'ERROR' as level,
    t.table_name as object,
    format('comment on %s states legal basis %s; register %s states %s',
        t.table_name,
        coalesce(nullif(pg_catalog.array_to_string(
            array(select 'Art. 6(1)(' || b || ')' from pg_catalog.unnest(t.comment_bases) as b), ', '
        ), ''), 'none'),
        t.ropa_id,
        pg_catalog.array_to_string(
            array(select 'Art. 6(1)(' || b || ')' from pg_catalog.unnest(t.register_bases) as b), ', '
        )) as detail,
    format('make them equal: the comment (new file in sql/schema) if the register is right, or legal_bases of %s '
        || '(sql/register/0100_register.sql, with a note for the privacy officer) if the schema is', t.ropa_id)
    as remediation
from t
where t.comment_bases <> t.register_bases
