-- Operator access is logged (seed 000, DPIA incident handling): pgaudit is loaded, its object-audit
-- role is dgskills_auditor, and that role may SELECT every table about users (a foreign key to
-- users, and users itself), so every read of pupil data leaves an AUDIT line in the server log.
select
    'operator_access_not_audited' as name,
    'WARN' as level,
    'pgaudit' as object,
    'pgaudit is not in shared_preload_libraries: reads of pupil data by service_role or an operator leave no trace'
    as detail,
    'install pgaudit (Debian postgresql-15-pgaudit), preload it, set pgaudit.role = ''dgskills_auditor'', restart'
    as remediation
where not pg_catalog.string_to_array(
    pg_catalog.replace(pg_catalog.current_setting('shared_preload_libraries'), ' ', ''), ','
) @> array['pgaudit']
union all
select
    'operator_access_not_audited',
    'WARN',
    'pgaudit.role',
    pg_catalog.format(
        'pgaudit.role is %L, not dgskills_auditor: object audit of the pupil tables is off',
        coalesce(pg_catalog.current_setting('pgaudit.role', true), '')
    ),
    'set pgaudit.role = ''dgskills_auditor'' in the server configuration (or ALTER DATABASE ... SET)'
where
    pg_catalog.string_to_array(
        pg_catalog.replace(pg_catalog.current_setting('shared_preload_libraries'), ' ', ''), ','
    ) @> array['pgaudit']
    and coalesce(pg_catalog.current_setting('pgaudit.role', true), '') <> 'dgskills_auditor'
union all
select
    'operator_access_not_audited',
    'WARN',
    c.oid::pg_catalog.regclass::text,
    'dgskills_auditor may not SELECT this table about users: pgaudit does not log reads of it',
    'run `migrate.py up` (sql/functions/4040_operator_access_audit.sql grants it)'
from pg_catalog.pg_class as c
where
    c.relkind in ('r', 'p')
    and (
        c.oid = 'public.users'::pg_catalog.regclass
        or exists (
            select from pg_catalog.pg_constraint as k
            where k.contype = 'f' and k.conrelid = c.oid and k.confrelid = 'public.users'::pg_catalog.regclass
        )
    )
    and not exists (
        select
        from pg_catalog.aclexplode(c.relacl) as a
        inner join pg_catalog.pg_roles as r on a.grantee = r.oid
        where r.rolname = 'dgskills_auditor' and a.privilege_type = 'SELECT'
    )
