-- splinter 0028 (and PUBLIC): a SECURITY DEFINER function anon (or everyone) may execute.
select
    'anon_security_definer_function_executable' as name,
    'ERROR' as level,
    p.oid::regprocedure::text as object,
    'SECURITY DEFINER function executable by '
    || case when pg_catalog.has_function_privilege('public', p.oid, 'execute') then 'PUBLIC' else 'anon' end
    as detail,
    format('revoke execute on function %s from public, anon', p.oid::regprocedure) as remediation
from pg_catalog.pg_proc as p
where
    p.prosecdef
    and p.pronamespace in ('public'::regnamespace, 'app_private'::regnamespace)
    and (
        pg_catalog.has_function_privilege('anon', p.oid, 'execute')
        or exists (
            select from pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) as a
            where a.grantee = 0 and a.privilege_type = 'EXECUTE'
        )
    )
