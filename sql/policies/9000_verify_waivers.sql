/*
  The declared exceptions to verify (app_private.verify_waiver). Each row needs a reason a
  privacy officer can read; report lists them. To waive one, add a row below.

  function_search_path_mutable (splinter 0011) on the retention procedures: each deletes in
  committed batches, and PostgreSQL refuses COMMIT in a procedure that has a SET clause
  ("invalid transaction termination"), so no search_path can be pinned on them. They are
  invoker-rights, EXECUTE is revoked from every API role, only pg_cron (as the owner) calls
  them, and every name inside is schema-qualified (pg_catalog. included).

  authenticated_security_definer_function_executable (splinter 0029) on the RPCs of SPEC §7:
  SECURITY DEFINER for signed-in users is their design. Each pins search_path = '', checks
  the caller (auth.uid(), role, school) itself and is tested for refusals (tests/rpc).
*/
delete from app_private.verify_waiver;

insert into app_private.verify_waiver (check_name, object, reason)
select
    'function_search_path_mutable' as check_name,
    'app_private.' || v.proc as object,
    'retention procedure that COMMITs between batches: PostgreSQL forbids a SET clause on it; '
    || 'invoker-rights, not executable by API roles, every name schema-qualified' as reason
from (
    values
    ('purge_job(text)'),
    ('offboard_ended_schools()'),
    ('purge_duel_presence()'),
    ('purge_duels()'),
    ('purge_student_activities()'),
    ('purge_feedback()'),
    ('purge_shared_games()'),
    ('purge_audit_logs()'),
    ('purge_pilot_requests()'),
    ('purge_pilot_request_attempts()'),
    ('purge_cron_job_run_details()')
) as v (proc);

insert into app_private.verify_waiver (check_name, object, reason)
select
    'authenticated_security_definer_function_executable' as check_name,
    'public.' || v.rpc as object,
    'RPC of SPEC §7, SECURITY DEFINER by design: search_path pinned, caller checked inside, '
    || 'refusals tested' as reason
from (
    values
    ('delete_my_account()'),
    ('delete_user_account(user_id uuid)'),
    ('export_my_data()'),
    ('export_user_data(user_id uuid)'),
    ('is_teacher()'),
    ('lift_processing_restriction(user_id uuid, reason text)'),
    ('override_step_completion(student_id uuid, mission_id text, step integer, completed boolean, reason text)'),
    ('restrict_processing(reason text)'),
    ('school_directory()')
) as v (rpc);
