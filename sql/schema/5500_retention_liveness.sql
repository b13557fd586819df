/*
  Retention that cannot silently fail (S-RET-8 v2, S-RET-10, S-RET-11, S-RET-12).

  retention_job.run_every: the longest gap between two scheduled runs of the job (the
  schedule's interval). verify uses it for liveness: a job that has not succeeded within
  twice this interval, or rows older than their period plus one interval, are errors.
  retention_job_declared: when each job was first declared (filled by a trigger on
  retention_job), so a fresh deploy is not "late" before its first run. A table of its own,
  not a column of the declaration: the declaration's rows stay equal to a fresh build's.

  retention_rule.deadline: the promise to the school (ROPA V-01: "binnen 30 dagen"),
  where it differs from keep: keep is when the job starts deleting, and keep plus three
  runs must fit within the deadline, so two failed runs in a row still keep the promise.
  retention_rule.action: delete the row, or null one column (S-RET-11: the client IP of a
  pilot request is kept one day, the request itself three years).

  retention_run.outcome/error: a failing school, account or batch is recorded and the job
  goes on with the next; the job then ends with an error so pg_cron records the run as
  failed. largest_batch is the most rows one batch transaction changed.
*/
alter table app_private.retention_job
add column run_every interval check (run_every > interval '0');
comment on column app_private.retention_job.run_every is
'Longest gap between two scheduled runs; liveness allows twice this before a job is late.';

create table app_private.retention_job_declared (
    job text primary key references app_private.retention_job (job) on delete cascade,
    declared_at timestamptz not null default now()
);
comment on table app_private.retention_job_declared is
'When each retention job was first declared (a job is not late before its first interval has passed). No personal data.';
insert into app_private.retention_job_declared (job) select j.job from app_private.retention_job as j;

alter table app_private.retention_rule
add column deadline interval check (deadline > interval '0'),
add column action text not null default 'delete' check (action in ('delete', 'nullify')),
add column nullify_column text,
add constraint retention_rule_nullify_has_column check ((action = 'nullify') = (nullify_column is not null)),
add constraint retention_rule_deadline_after_keep check (deadline is null or deadline > keep);
comment on column app_private.retention_rule.deadline is
'The promised deletion deadline where it is later than keep (offboarding, leavers: within 30 days).';
comment on column app_private.retention_rule.action is
'delete: expired rows are deleted; nullify: nullify_column of expired rows is set to null.';
comment on column app_private.retention_rule.nullify_column is 'The column a nullify rule clears.';

alter table app_private.retention_run
add column outcome text not null default 'ok' check (outcome in ('ok', 'failed')),
add column error text check (char_length(error) <= 2000),
add column largest_batch bigint not null default 0,
add column run_started_at timestamptz;
comment on column app_private.retention_run.outcome is
'ok, or failed: this school, account or table could not be purged in this run (error says why).';
comment on column app_private.retention_run.error is 'SQLSTATE and message of a failed purge; no personal data.';
comment on column app_private.retention_run.largest_batch is 'The most rows one batch transaction removed or changed.';
comment on column app_private.retention_run.run_started_at is
'When the job run started: the rows of one run share it; a run succeeded when none of its rows failed.';
create index retention_run_outcome_idx on app_private.retention_run (job, outcome, finished_at);

/*
  S-RET-10 (ROPA V-01): a school admin marks a pupil as having left the school
  (mark_pupil_left(), audited, undoable with unmark_pupil_left() until the account is
  deleted); purge_leavers deletes the account and, by cascade, all its data before 30
  days have passed since left_on. Not writable by API roles other than through the RPCs.
*/
alter table public.users add column left_on date;
create index users_left_on_idx on public.users (left_on) where left_on is not null;
comment on column public.users.left_on is
'Day the pupil left the school (set by a school admin); the account is deleted within 30 days (S-RET-10). ROPA V-01. Retention: account lifetime.';

/*
  S-RET-11: the rate limit needs the client IP of a pilot request for a minute; it is kept
  one day and then nulled by the declared rule null_pilot_request_ips.
*/
comment on column public.pilot_requests.ip is
'Client IP (abuse prevention, rate limit). ROPA V-10. Retention: 1 day, then nulled (S-RET-11).';
create index pilot_requests_ip_created_at_idx on public.pilot_requests (created_at) where ip is not null;
