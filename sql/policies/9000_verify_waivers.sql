/*
  The declared exceptions to verify (app_private.verify_waiver). Each row needs a reason a
  privacy officer can read; report lists them. To waive one, add a row below.

  None for function_search_path_mutable (splinter 0011): every function and procedure pins
  its search_path, the retention jobs included (their commits are in the DO block of their
  cron command, not in a procedure; see sql/functions/4000_retention_engine.sql).

  One waiver is declared by rule, in the view app_private.verify_waiver_rule: verify reads
  it when it runs, so the rule always covers the objects that exist then; each object it
  covers is listed (verify, report), and a new object falls under it only when it meets the
  whole rule:

  authenticated_security_definer_function_executable (splinter 0029) on the RPCs of SPEC §7:
  SECURITY DEFINER for signed-in users is their design. Rule: a function in public that is
  documented as an RPC (its comment starts with "RPC"), pins search_path = '', and that
  neither PUBLIC nor anon may execute. Each checks its caller (auth.uid(), role, school)
  itself and is tested for refusals (tests/rpc).
*/
delete from app_private.verify_waiver;

create or replace view app_private.verify_waiver_rule as
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
