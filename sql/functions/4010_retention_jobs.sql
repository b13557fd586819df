/*
  One named procedure per retention job (SPEC §8): what pg_cron calls. Each names its
  job in the declaration (sql/cron/0100_retention.sql), where its tables and periods are.
*/
create or replace procedure app_private.purge_duel_presence()
language plpgsql as $$ begin call app_private.purge_job('purge_duel_presence'); end $$;
comment on procedure app_private.purge_duel_presence () is
'S-RET-1 (ROPA V-08): duel presence older than 1 day; every 30 minutes.';

create or replace procedure app_private.purge_duels()
language plpgsql as $$ begin call app_private.purge_job('purge_duels'); end $$;
comment on procedure app_private.purge_duels () is
'S-RET-2 (ROPA V-08): duel challenges and active duels older than 7 days; daily 05:00 UTC.';

create or replace procedure app_private.purge_student_activities()
language plpgsql as $$ begin call app_private.purge_job('purge_student_activities'); end $$;
comment on procedure app_private.purge_student_activities () is
'S-RET-3 (ROPA V-04): pupil activity older than 1 year; Sundays 03:00 UTC.';

create or replace procedure app_private.purge_feedback()
language plpgsql as $$ begin call app_private.purge_job('purge_feedback'); end $$;
comment on procedure app_private.purge_feedback () is
'S-RET-4 (ROPA V-06): feedback older than 1 year; Sundays 03:30 UTC.';

create or replace procedure app_private.purge_shared_games()
language plpgsql as $$ begin call app_private.purge_job('purge_shared_games'); end $$;
comment on procedure app_private.purge_shared_games () is
'S-RET-5 (ROPA V-05): shared games older than 1 year; Sundays 04:00 UTC.';

create or replace procedure app_private.purge_audit_logs()
language plpgsql as $$ begin call app_private.purge_job('purge_audit_logs'); end $$;
comment on procedure app_private.purge_audit_logs () is
'S-RET-6 (ROPA V-12): audit log entries and retention run records older than 3 years; Sundays 04:30 UTC.';

create or replace procedure app_private.purge_pilot_requests()
language plpgsql as $$ begin call app_private.purge_job('purge_pilot_requests'); end $$;
comment on procedure app_private.purge_pilot_requests () is
'S-RET-7 (ROPA V-10): pilot requests older than 3 years; Sundays 05:30 UTC.';

create or replace procedure app_private.purge_pilot_request_attempts()
language plpgsql as $$ begin call app_private.purge_job('purge_pilot_request_attempts'); end $$;
comment on procedure app_private.purge_pilot_request_attempts () is
'S-RET-7b (ROPA V-10): rate-limit bookkeeping (client IPs) older than 1 day; hourly.';

create or replace procedure app_private.null_pilot_request_ips()
language plpgsql as $$ begin call app_private.purge_job('null_pilot_request_ips'); end $$;
comment on procedure app_private.null_pilot_request_ips () is
'S-RET-11 (ROPA V-10): nulls the client IP of pilot requests older than 1 day (the rate limit needs it for a minute); hourly.';

create or replace procedure app_private.purge_cron_job_run_details()
language plpgsql as $$ begin call app_private.purge_job('purge_cron_job_run_details'); end $$;
comment on procedure app_private.purge_cron_job_run_details () is
'S-RET-9: pg_cron''s own cron.job_run_details older than 30 days; daily 01:00 UTC.';

revoke all on procedure
app_private.purge_duel_presence(), app_private.purge_duels(), app_private.purge_student_activities(),
app_private.purge_feedback(), app_private.purge_shared_games(), app_private.purge_audit_logs(),
app_private.purge_pilot_requests(), app_private.purge_pilot_request_attempts(), app_private.null_pilot_request_ips(),
app_private.purge_cron_job_run_details()
from public, anon, authenticated, service_role;
