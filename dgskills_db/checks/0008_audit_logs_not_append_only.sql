-- S-RLS-3: audit_logs is append-only for every API role.
select
    'audit_logs_not_append_only' as name,
    'ERROR' as level,
    'public.audit_logs' as object,
    format('%s has %s on audit_logs', r.rolname, priv.p) as detail,
    format('revoke %s on public.audit_logs from %s', priv.p, r.rolname) as remediation
from pg_catalog.pg_roles as r
cross join (values ('update'), ('delete'), ('truncate')) as priv (p)
where
    r.rolname in ('public', 'anon', 'authenticated', 'service_role', 'authenticator')
    and pg_catalog.to_regclass('public.audit_logs') is not null
    and pg_catalog.has_table_privilege(r.rolname, 'public.audit_logs', priv.p)
