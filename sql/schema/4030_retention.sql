/*
  The one declared place of the retention rules (S-RET), and the evidence that they run.

  retention_job: one row per pg_cron job (S-RET-1..9 and the bookkeeping purges): its
  schedule (UTC; pg_cron 1.4 has no time zones and no seconds) and the command it runs.
  retention_rule: what a job deletes: table, timestamp column, how long rows are kept,
  batch size. sql/cron/ seeds both; `up` reconciles cron.job with retention_job;
  verify and report read them. Nothing else states a retention period.

  retention_run records every purge: when, which job, which table, the cutoff used,
  how many rows, how many batches and the longest one. It is the evidence a DBA shows a
  privacy officer; it holds no personal data and is itself purged after 3 years.
*/
create table app_private.retention_job (
    job text primary key check (job ~ '^[a-z][a-z0-9_]*$'),
    requirement text not null check (requirement ~ '^S-RET-[0-9]+[a-z]?$'),
    schedule text not null,
    command text not null,
    run_in text not null default 'target' check (run_in in ('target', 'cron')),
    command_in_cron_db text,
    description text not null
);
comment on table app_private.retention_job is
'Declared retention jobs (pg_cron): name, schedule, command. The single source for cron.job, verify and report.';

create table app_private.retention_rule (
    job text not null references app_private.retention_job (job) on delete cascade,
    target text not null,
    ropa_id text not null check (ropa_id ~ '^V-[0-9]{2}$'),
    ts_column text not null,
    keep interval not null check (keep > interval '0'),
    batch_size integer not null default 5000 check (batch_size between 1 and 1000000),
    primary key (job, target)
);
comment on table app_private.retention_rule is
'What each retention job deletes: rows of target whose ts_column is older than keep, in batches.';

create table app_private.retention_run (
    id bigint generated always as identity primary key,
    job text not null,
    target text not null,
    cutoff timestamptz,
    rows_deleted bigint not null,
    batches integer not null,
    longest_batch_ms numeric(12, 3) not null,
    started_at timestamptz not null,
    finished_at timestamptz not null
);
create index retention_run_job_idx on app_private.retention_run (job, started_at);
create index retention_run_started_at_idx on app_private.retention_run (started_at);
comment on table app_private.retention_run is
'Evidence of retention: one row per purge run and table. No personal data. Retention: 3 years after started_at.';
