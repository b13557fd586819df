/*
  The one declared place of the retention rules (S-RET), and the evidence that they
  run. sql/cron/ seeds retention_policy; the deploy reconciles pg_cron's cron.job with
  it; verify and report read it. retention_run records every purge: when, which job,
  which table, how many rows, how long, the cutoff used. It holds no personal data.
*/
create table app_private.retention_policy (
    job text primary key check (job ~ '^[a-z][a-z0-9_]*$'),
    requirement text not null check (requirement ~ '^S-RET-[0-9]+[a-z]?$'),
    ropa_id text not null check (ropa_id ~ '^V-[0-9]{2}$'),
    target text not null,
    ts_column text,
    keep interval,
    schedule text not null,
    command text not null,
    run_in text not null default 'target' check (run_in in ('target', 'cron')),
    command_in_cron_db text,
    batch_size integer not null default 5000 check (batch_size between 1 and 1000000),
    description text not null,
    constraint retention_policy_age check ((ts_column is null) = (keep is null))
);
comment on table app_private.retention_policy is
'Declared retention jobs: what is deleted, after how long, when, and by which procedure. The single source for cron.job, verify and report.';

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
