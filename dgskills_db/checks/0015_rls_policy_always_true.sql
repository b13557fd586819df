-- splinter 0024: a write policy whose expression is literally true lets every caller write every row.
select
    'rls_policy_always_true' as name,
    'WARN' as level,
    format('%s: policy %I', p.polrelid::regclass, p.polname) as object,
    'USING or WITH CHECK is always true for a write command' as detail,
    'restrict the policy to the rows the caller may write' as remediation
from pg_catalog.pg_policy as p
where
    p.polcmd in ('a', 'w', 'd', '*')
    and (
        pg_catalog.pg_get_expr(p.polqual, p.polrelid) = 'true'
        or pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) = 'true'
    )
