/*
  Bloat-free retention (S-RET-3, S-RET-6; ROPA V-04, V-12): student_activities and
  audit_logs become range-partitioned by created_at, one partition per calendar month
  (UTC). Retention drops a whole month once all of it has expired (a catalog change, no
  dead tuples, no vacuum work) and batch-deletes only the boundary month.

  Native partitioning with our own declared job (app_private.maintain_partitions, in
  sql/functions/4050_partitions.sql, scheduled by sql/cron/0100_retention.sql), not
  pg_partman: pg_partman would be one more extension to install and to trust (its
  maintenance runs as a background worker with its own configuration tables and grants),
  and its retention would be a second retention engine beside ours; the rules here are
  two tables, one month each, a few lines.

  Partitions live in schema app_partitions: no API role has USAGE on it, every partition
  has row-level security enabled and no privilege for any API role, so the only way to
  their rows is the parent in public with its policies (S-RLS-1). verify checks it
  (partition_reachable_by_api_role).

  A primary key of a partitioned table must contain the partition key: (id, created_at).
  No foreign key references these tables' ids, and id stays unique (an identity).

  app_private.partition_rule declares which tables are partitioned and how far ahead
  partitions exist (seeded by sql/cron/0100_retention.sql beside the retention rules).
  A default partition catches rows outside every month; verify reports rows in it, and
  months missing ahead (partition_coverage).

  Locks (plan): this file takes ACCESS EXCLUSIVE on student_activities and audit_logs
  from the rename to the commit, while it copies every row into the partitions: reads
  and writes of those two tables wait that long (measured about 4 s per million rows on
  the benchmark machine). Deploy it in a quiet hour (at night, outside school hours)
  with `up --statement-lock-timeout` so it gives way to running requests, not the other
  way around. No revert file: the rows were moved (roll forward only).
*/
create schema if not exists app_partitions;
revoke all on schema app_partitions from public;
comment on schema app_partitions is
'Monthly partitions of public.student_activities and public.audit_logs. Not exposed to the API: no API role has USAGE, every partition has RLS enabled and no grants; rows are reached through the parent tables.';

create table app_private.partition_rule (
    parent text primary key check (parent in ('public.student_activities', 'public.audit_logs')),
    ts_column text not null,
    ahead interval not null check (ahead >= interval '1 month'),
    back interval not null check (back >= interval '0')
);
comment on table app_private.partition_rule is
'Declared partitioned tables: monthly range partitions by ts_column exist from back before now to ahead after now (app_private.maintain_partitions). No personal data.';

alter table app_private.retention_run
add column partitions_dropped integer not null default 0 check (partitions_dropped >= 0);
comment on column app_private.retention_run.partitions_dropped is
'Whole expired partitions dropped by this run (their rows are counted in rows_deleted, not in batches).';

-- student_activities ------------------------------------------------------------------
alter table public.student_activities rename to student_activities_unpartitioned;
alter table public.student_activities_unpartitioned rename constraint student_activities_pkey
to student_activities_unpartitioned_pkey;
alter index public.student_activities_user_id_idx rename to student_activities_unpartitioned_user_id_idx;
alter index public.student_activities_created_at_idx rename to student_activities_unpartitioned_created_at_idx;
alter sequence public.student_activities_id_seq rename to student_activities_unpartitioned_id_seq;

create table public.student_activities (
    id bigint generated always as identity,
    user_id uuid not null references public.users (id) on delete cascade,
    activity_type text not null check (char_length(activity_type) between 1 and 100),
    details jsonb not null default '{}'::jsonb check (pg_column_size(details) <= 8192),
    created_at timestamptz not null default now(),
    primary key (id, created_at)
) partition by range (created_at);
create index student_activities_user_id_idx on public.student_activities (user_id, created_at);
create index student_activities_created_at_idx on public.student_activities (created_at);
alter table public.student_activities enable row level security;
revoke all on table public.student_activities from public, anon, authenticated, service_role;

-- audit_logs ---------------------------------------------------------------------------
alter table public.audit_logs rename to audit_logs_unpartitioned;
alter table public.audit_logs_unpartitioned rename constraint audit_logs_pkey to audit_logs_unpartitioned_pkey;
alter index public.audit_logs_actor_id_idx rename to audit_logs_unpartitioned_actor_id_idx;
alter index public.audit_logs_subject_id_idx rename to audit_logs_unpartitioned_subject_id_idx;
alter index public.audit_logs_school_id_idx rename to audit_logs_unpartitioned_school_id_idx;
alter index public.audit_logs_created_at_idx rename to audit_logs_unpartitioned_created_at_idx;
alter sequence public.audit_logs_id_seq rename to audit_logs_unpartitioned_id_seq;

create table public.audit_logs (
    id bigint generated always as identity,
    action text not null check (char_length(action) between 1 and 100),
    actor_id uuid references public.users (id) on delete set null,
    subject_id uuid references public.users (id) on delete cascade,
    subject_hash text check (subject_hash ~ '^[0-9a-f]{64}$'),
    school_id uuid references public.schools (id) on delete set null,
    metadata jsonb not null default '{}'::jsonb check (pg_column_size(metadata) <= 16384),
    created_at timestamptz not null default now(),
    primary key (id, created_at)
) partition by range (created_at);
create index audit_logs_actor_id_idx on public.audit_logs (actor_id);
create index audit_logs_subject_id_idx on public.audit_logs (subject_id);
create index audit_logs_school_id_idx on public.audit_logs (school_id, created_at);
create index audit_logs_created_at_idx on public.audit_logs (created_at);
alter table public.audit_logs enable row level security;
revoke all on table public.audit_logs from public, anon, authenticated, service_role;

-- partitions: every month that holds a row or lies within the retention period, three
-- months ahead, and a default partition; then the rows, then the identities go on ----------
do $$
declare
    t record;
    v_month timestamptz;
    v_last timestamptz;
    v_part text;
begin
    for t in
        select * from (values
            ('student_activities', interval '1 year'),
            ('audit_logs', interval '3 years')
        ) as v (tbl, keep)
    loop
        execute pg_catalog.format(
            'select pg_catalog.date_trunc(''month'', least(min(created_at), now() - $1), ''UTC'') from public.%I',
            t.tbl || '_unpartitioned'
        ) into v_month using t.keep;
        -- no month before ten years ago: older rows (expired long since) go to the default partition
        v_month := greatest(v_month, pg_catalog.date_trunc('month', pg_catalog.now() - interval '10 years', 'UTC'));
        v_last := pg_catalog.date_trunc('month', pg_catalog.now() + interval '3 months', 'UTC');
        while v_month <= v_last loop
            v_part := pg_catalog.format('%s_p%s', t.tbl, pg_catalog.to_char(v_month at time zone 'UTC', 'YYYYMM'));
            execute pg_catalog.format(
                'create table app_partitions.%I partition of public.%I for values from (%L) to (%L)',
                v_part, t.tbl, v_month, v_month + interval '1 month'
            );
            execute pg_catalog.format('alter table app_partitions.%I enable row level security', v_part);
            execute pg_catalog.format(
                'revoke all on table app_partitions.%I from public, anon, authenticated, service_role', v_part
            );
            v_month := v_month + interval '1 month';
        end loop;
        v_part := t.tbl || '_default';
        execute pg_catalog.format('create table app_partitions.%I partition of public.%I default', v_part, t.tbl);
        execute pg_catalog.format('alter table app_partitions.%I enable row level security', v_part);
        execute pg_catalog.format(
            'revoke all on table app_partitions.%I from public, anon, authenticated, service_role', v_part
        );
    end loop;
end
$$;

insert into public.student_activities (id, user_id, activity_type, details, created_at)
overriding system value
select
    id,
    user_id,
    activity_type,
    details,
    created_at
from public.student_activities_unpartitioned;
select pg_catalog.setval(
    pg_catalog.pg_get_serial_sequence('public.student_activities', 'id'),
    coalesce((select max(id) from public.student_activities_unpartitioned), 0) + 1, false
);

insert into public.audit_logs (id, action, actor_id, subject_id, subject_hash, school_id, metadata, created_at)
overriding system value
select
    id,
    action,
    actor_id,
    subject_id,
    subject_hash,
    school_id,
    metadata,
    created_at
from public.audit_logs_unpartitioned;
select pg_catalog.setval(
    pg_catalog.pg_get_serial_sequence('public.audit_logs', 'id'),
    coalesce((select max(id) from public.audit_logs_unpartitioned), 0) + 1, false
);

-- the comments (what report and the register checks read) go with the rows
do $$
declare
    t text;
    c record;
begin
    foreach t in array array['student_activities', 'audit_logs'] loop
        execute pg_catalog.format(
            'comment on table public.%I is %L', t,
            pg_catalog.obj_description(pg_catalog.format('public.%I_unpartitioned', t)::regclass, 'pg_class')
        );
        for c in
            select a.attname, pg_catalog.col_description(a.attrelid, a.attnum) as descr
            from pg_catalog.pg_attribute as a
            where a.attrelid = pg_catalog.format('public.%I_unpartitioned', t)::regclass and a.attnum > 0
                and not a.attisdropped
        loop
            execute pg_catalog.format('comment on column public.%I.%I is %L', t, c.attname, c.descr);
        end loop;
    end loop;
end
$$;
drop table public.student_activities_unpartitioned;
drop table public.audit_logs_unpartitioned;


comment on column public.student_activities.created_at is
'When; the retention clock and the partition key (one partition per month). ROPA V-04. Retention: 1 year.';
comment on column public.audit_logs.created_at is
'When; the retention clock and the partition key (one partition per month). ROPA V-12. Retention: 3 years.';
