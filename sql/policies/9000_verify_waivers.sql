/*
  The declared exceptions to verify (app_private.verify_waiver). Each row needs a reason a
  privacy officer can read; report lists them. To waive one, add a row below.

  Two waivers are declared by rule, in the view app_private.verify_waiver_rule: verify reads
  it when it runs, so the rule always covers the objects that exist then; each object it
  covers is listed (verify, report), and a new object falls under it only when it meets the
  whole rule:

  function_search_path_mutable (splinter 0011) on the retention procedures: each deletes in
  committed batches, and PostgreSQL refuses COMMIT in a procedure that has a SET clause
  ("invalid transaction termination"), so no search_path can be pinned on them. Rule: a
  procedure in app_private, invoker-rights, without any SET clause, that neither PUBLIC nor
  an API role may execute (only pg_cron, as the owner, calls them); every name inside is
  schema-qualified, pg_catalog included.

  authenticated_security_definer_function_executable (splinter 0029) on the RPCs of SPEC §7:
  SECURITY DEFINER for signed-in users is their design. Rule: a function in public that is
  documented as an RPC (its comment starts with "RPC"), pins search_path = '', and that
  neither PUBLIC nor anon may execute. Each checks its caller (auth.uid(), role, school)
  itself and is tested for refusals (tests/rpc).
*/
delete from app_private.verify_waiver;

create or replace view app_private.verify_waiver_rule as
select
    'function_search_path_mutable'::text as check_name,
    p.oid::regprocedure::text as object,
    'retention procedure that COMMITs between batches: PostgreSQL forbids a SET clause on it; '
    || 'invoker-rights, not executable by PUBLIC or API roles, every name schema-qualified' as reason
from pg_catalog.pg_proc as p
where
    p.pronamespace = 'app_private'::regnamespace
    and p.prokind = 'p'
    and not p.prosecdef
    and p.proconfig is null
    and not pg_catalog.has_function_privilege('public', p.oid, 'execute')
    and not pg_catalog.has_function_privilege('anon', p.oid, 'execute')
    and not pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
    and not pg_catalog.has_function_privilege('service_role', p.oid, 'execute')
union all
select
    'authenticated_security_definer_function_executable'::text as check_name,
    'public.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as object,
    'RPC of SPEC §7, SECURITY DEFINER by design: search_path pinned, caller checked inside, '
    || 'not executable by PUBLIC or anon, refusals tested' as reason
from pg_catalog.pg_proc as p
where
    p.pronamespace = 'public'::regnamespace
    and p.prosecdef
    and 'search_path=""' = any(p.proconfig)
    and pg_catalog.obj_description(p.oid, 'pg_proc') like 'RPC%'
    and pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
    and not pg_catalog.has_function_privilege('public', p.oid, 'execute')
    and not pg_catalog.has_function_privilege('anon', p.oid, 'execute');
comment on view app_private.verify_waiver_rule is
'Exceptions to verify declared by rule (see sql/policies/9000_verify_waivers.sql); verify and report list what they cover.';
revoke all on app_private.verify_waiver_rule from public, anon, authenticated, service_role;
