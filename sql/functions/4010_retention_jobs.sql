/*
  One named function per retention job (SPEC §8): the step that the job's command in
  cron.job calls until it returns null (app_private.retention_command(), see
  4000_retention_engine.sql). Each names its job in the declaration
  (sql/cron/0100_retention.sql), where its tables and periods are. A step never commits;
  the command does, between steps, so each function can pin search_path = ''.
*/
drop procedure if exists app_private.purge_duel_presence();
drop procedure if exists app_private.purge_duels();
drop procedure if exists app_private.purge_student_activities();
drop procedure if exists app_private.purge_feedback();
drop procedure if exists app_private.purge_shared_games();
drop procedure if exists app_private.purge_audit_logs();
drop procedure if exists app_private.purge_pilot_requests();
drop procedure if exists app_private.purge_pilot_request_attempts();
drop procedure if exists app_private.null_pilot_request_ips();
drop procedure if exists app_private.purge_cron_job_run_details();

create or replace function app_private.purge_duel_presence(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_duel_presence', p_state) $$;
comment on function app_private.purge_duel_presence(jsonb) is
'S-RET-1 (ROPA V-08): duel presence older than 1 day; every 30 minutes. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_duels(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_duels', p_state) $$;
comment on function app_private.purge_duels(jsonb) is
'S-RET-2 (ROPA V-08): duel challenges and active duels older than 7 days; daily 05:00 UTC. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_student_activities(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_student_activities', p_state) $$;
comment on function app_private.purge_student_activities(jsonb) is
'S-RET-3 (ROPA V-04): pupil activity older than 1 year; Sundays 03:00 UTC. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_feedback(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_feedback', p_state) $$;
comment on function app_private.purge_feedback(jsonb) is
'S-RET-4 (ROPA V-06): feedback older than 1 year; Sundays 03:30 UTC. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_shared_games(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_shared_games', p_state) $$;
comment on function app_private.purge_shared_games(jsonb) is
'S-RET-5 (ROPA V-05): shared games older than 1 year; Sundays 04:00 UTC. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_audit_logs(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_audit_logs', p_state) $$;
comment on function app_private.purge_audit_logs(jsonb) is
'S-RET-6 (ROPA V-12): audit log entries and retention run records older than 3 years; Sundays 04:30 UTC. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_pilot_requests(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_pilot_requests', p_state) $$;
comment on function app_private.purge_pilot_requests(jsonb) is
'S-RET-7 (ROPA V-10): pilot requests older than 3 years; Sundays 05:30 UTC. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_pilot_request_attempts(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_pilot_request_attempts', p_state) $$;
comment on function app_private.purge_pilot_request_attempts(jsonb) is
'S-RET-7b (ROPA V-10): rate-limit bookkeeping (client IPs) older than 1 day; hourly. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.null_pilot_request_ips(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('null_pilot_request_ips', p_state) $$;
comment on function app_private.null_pilot_request_ips(jsonb) is
'S-RET-11 (ROPA V-10): nulls the client IP of pilot requests older than 1 day (the rate limit needs it for a minute); hourly. One step (one batch); run by the job''s command in cron.job.';

create or replace function app_private.purge_cron_job_run_details(p_state jsonb)
returns jsonb
language sql
set search_path = ''
as $$ select app_private.purge_job('purge_cron_job_run_details', p_state) $$;
comment on function app_private.purge_cron_job_run_details(jsonb) is
'S-RET-9: pg_cron''s own cron.job_run_details older than 30 days; daily 01:00 UTC. One step (one batch); run by the job''s command in cron.job.';

revoke all on function
app_private.purge_duel_presence(jsonb), app_private.purge_duels(jsonb), app_private.purge_student_activities(jsonb),
app_private.purge_feedback(jsonb), app_private.purge_shared_games(jsonb), app_private.purge_audit_logs(jsonb),
app_private.purge_pilot_requests(jsonb), app_private.purge_pilot_request_attempts(jsonb), app_private.null_pilot_request_ips(jsonb),
app_private.purge_cron_job_run_details(jsonb)
from public, anon, authenticated, service_role;
