-- S-RLS-9: privileges the access matrix never gives an API role (anon, authenticated,
-- service_role, or PUBLIC, which every role inherits), over every object kind of the
-- product's schemas: any privilege on a sequence (ids are identity columns: no API role
-- needs one; setval() on the audit log's would stop every audited RPC); TRUNCATE,
-- REFERENCES or TRIGGER on a table; anything on a table for anon; anything on a table of
-- app_private; CREATE on a schema; EXECUTE on a function for anon or PUBLIC (SECURITY
-- DEFINER ones are anon_security_definer_function_executable's); an explicit
-- grant on a type. The matrix's table grants themselves are compared cell by cell in
-- tests/rls/test_privileges.py.
with api (oid, rolname) as (
    select 0::oid, 'PUBLIC'
    union all
    select r.oid, r.rolname from pg_catalog.pg_roles as r
    where r.rolname in ('anon', 'authenticated', 'service_role')
),

product (nsp) as (
    select n.oid from pg_catalog.pg_namespace as n where n.nspname in ('public', 'app_private')
),

rel_grants as (
    select
        c.oid,
        c.relkind,
        c.relnamespace,
        a.privilege_type,
        api.rolname,
        pg_catalog.format('%s %s', case c.relkind when 'S' then 'sequence' else 'table' end, c.oid::regclass) as obj
    from pg_catalog.pg_class as c
    cross join lateral pg_catalog.aclexplode(
        coalesce(c.relacl, pg_catalog.acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner))
    ) as a
    inner join api on a.grantee = api.oid
    where c.relnamespace in (select product.nsp from product) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
),

col_grants as (
    select
        c.oid,
        at.attname,
        a.privilege_type,
        api.rolname
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_attribute as at on at.attrelid = c.oid and at.attnum > 0 and not at.attisdropped
    cross join lateral pg_catalog.aclexplode(at.attacl) as a
    inner join api on a.grantee = api.oid
    where c.relnamespace in (select product.nsp from product) and at.attacl is not null
),

found (object, detail, remediation) as (
    select
        g.obj,
        pg_catalog.format('%s holds %s on a sequence', g.rolname, g.privilege_type),
        pg_catalog.format('revoke all on sequence %s from %s', g.oid::regclass, g.rolname)
    from rel_grants as g where g.relkind = 'S'
    union all
    select
        g.obj,
        pg_catalog.format('%s holds %s', g.rolname, g.privilege_type),
        pg_catalog.format('revoke %s on table %s from %s', g.privilege_type, g.oid::regclass, g.rolname)
    from rel_grants as g
    where g.relkind <> 'S' and (
        g.privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER')
        or g.rolname in ('anon', 'PUBLIC')
        or g.relnamespace = 'app_private'::regnamespace
    )
    union all
    select
        pg_catalog.format('column %s.%I', g.oid::regclass, g.attname),
        pg_catalog.format('%s holds %s on a column', g.rolname, g.privilege_type),
        pg_catalog.format('revoke %s (%I) on table %s from %s', g.privilege_type, g.attname, g.oid::regclass, g.rolname)
    from col_grants as g
    where g.privilege_type = 'REFERENCES' or g.rolname in ('anon', 'PUBLIC')
    union all
    select
        pg_catalog.format('schema %I', n.nspname),
        pg_catalog.format('%s holds CREATE on the schema', api.rolname),
        pg_catalog.format('revoke create on schema %I from %s', n.nspname, api.rolname)
    from pg_catalog.pg_namespace as n
    cross join lateral pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) as a
    inner join api on a.grantee = api.oid
    where n.oid in (select product.nsp from product) and a.privilege_type = 'CREATE'
    union all
    select
        pg_catalog.format('function %s', p.oid::regprocedure),
        pg_catalog.format('%s may execute it', api.rolname),
        pg_catalog.format('revoke execute on function %s from %s', p.oid::regprocedure, api.rolname)
    from pg_catalog.pg_proc as p
    cross join lateral pg_catalog.aclexplode(
        coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
    ) as a
    inner join api on a.grantee = api.oid
    where
        p.pronamespace in (select product.nsp from product) and api.rolname in ('anon', 'PUBLIC')
        and not p.prosecdef  -- SECURITY DEFINER ones: anon_security_definer_function_executable
        and not exists (  -- an extension's own functions: extension_in_public
            select from pg_catalog.pg_depend as d
            where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
        )
    union all
    select
        pg_catalog.format('type %s', t.oid::regtype),
        pg_catalog.format('%s holds an explicit %s on the type', api.rolname, a.privilege_type),
        pg_catalog.format('revoke %s on type %s from %s', a.privilege_type, t.oid::regtype, api.rolname)
    from pg_catalog.pg_type as t
    cross join lateral pg_catalog.aclexplode(t.typacl) as a
    inner join api on a.grantee = api.oid
    where t.typnamespace in (select product.nsp from product) and t.typacl is not null and api.rolname <> 'PUBLIC'
)

select
    'api_role_privilege_beyond_matrix' as name,
    'ERROR' as level,
    f.object,
    f.detail,
    f.remediation
from found as f
order by f.object, f.detail
