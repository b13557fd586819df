/*
  THE retention declaration (SPEC §8, ROPA §5). Every period and schedule is stated here
  and nowhere else: `up` reconciles pg_cron's cron.job with retention_job, the purge
  functions read retention_rule, and verify and report read both. Schedules are UTC.
  A job or rule removed from this file is removed from the database (and unscheduled).

  A job's command is app_private.retention_command() of its step function: a DO block that
  calls the function until the run is complete, committing after every step (batch). Run a
  job by hand the same way, at top level (psql, autocommit):
      select command from app_private.retention_job where job = 'purge_duels' \gexec

  run_every is the longest gap between two runs of the schedule: verify reports a job that
  has not succeeded within twice that, and rows older than keep plus run_every (S-RET-12).
  Offboarding (S-RET-8) and leavers (S-RET-10) promise deletion within 30 days (deadline);
  they start at 27 days and run daily, so two failed runs in a row still keep the promise
  (keep + 3 x run_every <= deadline, tested).
*/
with declared (job, requirement, schedule, run_every, command, run_in, command_in_cron_db, description) as (
    values
    (
        'purge_duel_presence', 'S-RET-1', '*/30 * * * *', interval '30 minutes',
        app_private.retention_command('app_private.purge_duel_presence(jsonb)'), 'target', null,
        'Duel presence: 1 day (ROPA V-08).'
    ),
    (
        'purge_duels', 'S-RET-2', '0 5 * * *', interval '1 day', app_private.retention_command('app_private.purge_duels(jsonb)'), 'target', null,
        'Duel challenges and active duels: 7 days (ROPA V-08).'
    ),
    (
        'purge_student_activities', 'S-RET-3', '0 3 * * 0', interval '7 days',
        app_private.retention_command('app_private.purge_student_activities(jsonb)'), 'target', null,
        'Pupil activity: 1 year (ROPA V-04).'
    ),
    (
        'purge_feedback', 'S-RET-4', '30 3 * * 0', interval '7 days', app_private.retention_command('app_private.purge_feedback(jsonb)'), 'target',
        null, 'Feedback: 1 year (ROPA V-06).'
    ),
    (
        'purge_shared_games', 'S-RET-5', '0 4 * * 0', interval '7 days', app_private.retention_command('app_private.purge_shared_games(jsonb)'),
        'target', null, 'Shared games: 1 year (ROPA V-05).'
    ),
    (
        'purge_audit_logs', 'S-RET-6', '30 4 * * 0', interval '7 days', app_private.retention_command('app_private.purge_audit_logs(jsonb)'),
        'target', null, 'Audit log and retention evidence: 3 years (ROPA V-12).'
    ),
    (
        'purge_pilot_requests', 'S-RET-7', '30 5 * * 0', interval '7 days', app_private.retention_command('app_private.purge_pilot_requests(jsonb)'),
        'target', null, 'Pilot requests: 3 years (ROPA V-10).'
    ),
    (
        'purge_pilot_request_attempts', 'S-RET-7b', '15 * * * *', interval '1 hour',
        app_private.retention_command('app_private.purge_pilot_request_attempts(jsonb)'),
        'target', null, 'Rate-limit bookkeeping of pilot requests (client IPs): 1 day (ROPA V-10).'
    ),
    (
        'offboard_ended_schools', 'S-RET-8', '0 2 * * *', interval '1 day', app_private.retention_command('app_private.offboard_ended_schools(jsonb)'),
        'target', null,
        'Schools whose contract ended: all accounts and data, from 27 days, within 30 days (ROPA V-01).'
    ),
    (
        'purge_cron_job_run_details', 'S-RET-9', '0 1 * * *', interval '1 day',
        app_private.retention_command('app_private.purge_cron_job_run_details(jsonb)'), 'cron',
        'delete from cron.job_run_details where end_time < now() - interval ''30 days''',
        'pg_cron''s own run history: 30 days.'
    ),
    (
        'purge_leavers', 'S-RET-10', '30 2 * * *', interval '1 day', app_private.retention_command('app_private.purge_leavers(jsonb)'), 'target', null,
        'Pupils marked as having left the school: the account and all its data, within 30 days (ROPA V-01).'
    ),
    (
        'null_pilot_request_ips', 'S-RET-11', '45 * * * *', interval '1 hour',
        app_private.retention_command('app_private.null_pilot_request_ips(jsonb)'), 'target', null,
        'Client IP of pilot requests: 1 day, then nulled (ROPA V-10).'
    ),
    (
        'maintain_partitions', 'S-RET-3', '15 0 * * *', interval '1 day',
        app_private.retention_command('app_private.maintain_partitions(jsonb)'), 'target', null,
        'Monthly partitions of pupil activity and the audit log, three months ahead, so retention drops whole months (ROPA V-04, V-12).'
    )
),

upserted as (
    insert into app_private.retention_job as j
    (job, requirement, schedule, run_every, command, run_in, command_in_cron_db, description)
    select
        job,
        requirement,
        schedule,
        run_every,
        command,
        run_in,
        command_in_cron_db,
        description
    from declared
    on conflict (job) do update
        set
            requirement = excluded.requirement, schedule = excluded.schedule, run_every = excluded.run_every,
            command = excluded.command, run_in = excluded.run_in, command_in_cron_db = excluded.command_in_cron_db,
            description = excluded.description
    returning j.job
)

delete from app_private.retention_job as j
where j.job not in (select d.job from declared as d);

with declared (job, target, ropa_id, ts_column, keep, batch_size, deadline, action, nullify_column) as (
    values
    (
        'purge_duel_presence', 'public.duel_presence', 'V-08', 'last_seen_at', interval '1 day', 5000, null::interval,
        'delete', null
    ),
    ('purge_duels', 'public.duel_challenges', 'V-08', 'created_at', interval '7 days', 5000, null, 'delete', null),
    ('purge_duels', 'public.active_duels', 'V-08', 'created_at', interval '7 days', 5000, null, 'delete', null),
    (
        'purge_student_activities', 'public.student_activities', 'V-04', 'created_at', interval '1 year', 10000, null,
        'delete', null
    ),
    ('purge_feedback', 'public.feedback', 'V-06', 'created_at', interval '1 year', 5000, null, 'delete', null),
    ('purge_shared_games', 'public.shared_games', 'V-05', 'created_at', interval '1 year', 5000, null, 'delete', null),
    ('purge_audit_logs', 'public.audit_logs', 'V-12', 'created_at', interval '3 years', 5000, null, 'delete', null),
    (
        'purge_audit_logs', 'app_private.retention_run', 'V-12', 'started_at', interval '3 years', 5000, null, 'delete',
        null
    ),
    (
        'purge_pilot_requests', 'public.pilot_requests', 'V-10', 'created_at', interval '3 years', 5000, null, 'delete',
        null
    ),
    (
        'purge_pilot_request_attempts', 'app_private.pilot_request_attempts', 'V-10', 'attempted_at', interval '1 day',
        5000, null, 'delete', null
    ),
    (
        'offboard_ended_schools', 'public.schools', 'V-01', 'contract_ends_on', interval '27 days', 500,
        interval '30 days', 'delete', null
    ),
    (
        'purge_cron_job_run_details', 'cron.job_run_details', 'V-12', 'end_time', interval '30 days', 5000, null, 'delete',
        null
    ),
    ('purge_leavers', 'public.users', 'V-01', 'left_on', interval '27 days', 1, interval '30 days', 'delete', null),
    (
        'null_pilot_request_ips', 'public.pilot_requests', 'V-10', 'created_at', interval '1 day', 5000, null, 'nullify',
        'ip'
    )
),

upserted as (
    insert into app_private.retention_rule as r
    (job, target, ropa_id, ts_column, keep, batch_size, deadline, action, nullify_column)
    select
        job,
        target,
        ropa_id,
        ts_column,
        keep,
        batch_size,
        deadline,
        action,
        nullify_column
    from declared
    on conflict (job, target) do update
        set
            ropa_id = excluded.ropa_id, ts_column = excluded.ts_column, keep = excluded.keep,
            batch_size = excluded.batch_size, deadline = excluded.deadline, action = excluded.action,
            nullify_column = excluded.nullify_column
    returning r.job, r.target
)

delete from app_private.retention_rule as r
where (r.job, r.target) not in (select
    d.job,
    d.target
from declared as d);

/*
  The partitioned tables (schema files 6533, 6561): partitions by ts_column cut at the cutoffs
  of the table's purge job above (its schedule, daily or weekly, minus the rule's keep:
  app_private.partition_bounds), from back before now (the retention period: older
  partitions are dropped by the purge job) to ahead after now; app_private.maintain_partitions
  (job maintain_partitions above) creates them daily, so it can fail for weeks before a row
  would land in the default partition (verify reports missing time). A table removed here
  keeps its partitions (turning a partitioned table back is a migration).
*/
with declared (parent, ts_column, ahead, back, runs_per_partition) as (
    values
    -- a partition per weekly run: every expired activity goes with a whole partition
    ('public.student_activities', 'created_at', interval '3 months', interval '1 year', 1),
    -- few rows over three years: a partition per fourth weekly run (about 40 instead of 160)
    ('public.audit_logs', 'created_at', interval '3 months', interval '3 years', 4)
),

upserted as (
    insert into app_private.partition_rule as p (parent, ts_column, ahead, back, runs_per_partition)
    select
        parent,
        ts_column,
        ahead,
        back,
        runs_per_partition
    from declared
    on conflict (parent) do update
        set
            ts_column = excluded.ts_column, ahead = excluded.ahead, back = excluded.back,
            runs_per_partition = excluded.runs_per_partition
    returning p.parent
)

delete from app_private.partition_rule as p
where p.parent not in (select d.parent from declared as d);
