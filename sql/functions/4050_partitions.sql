/*
  Monthly partitions ahead (S-RET-3, S-RET-6; schema file 6533_partitioned_retention.sql).
  For every declared partitioned table (app_private.partition_rule, seeded by
  sql/cron/0100_retention.sql) the partitions of the months from `back` before now to
  `ahead` after now exist, in schema app_partitions, each with row-level security on and
  no privilege for any API role (no way around the parent's policies), and a default
  partition. Retention (purge_job) drops the months that have wholly expired; with `back`
  equal to the retention period this never creates one of those again.

  A retention-style job (see 4000_retention_engine.sql): one step per partition created,
  each its own transaction (the job's command commits between steps), under a 1 s
  lock_timeout, since creating a partition takes ACCESS EXCLUSIVE on the parent and its
  default partition for a moment (a catalog change; the default partition is scanned, and
  stays empty). A month that cannot be created (a lock not granted, rows of that month in
  the default partition) is recorded in retention_run (outcome failed) and the job goes on;
  it then ends with DG009 so pg_cron records the run as failed, and verify reports the
  missing months (partition_coverage).
*/

/* pgaudit's object audit (sql/functions/4040_operator_access_audit.sql) covers a new partition too. */
create or replace function app_private.grant_partition_audit(p_part regclass)
returns void
language plpgsql
set search_path = ''
as $$
begin
    if exists (select from pg_catalog.pg_roles as r where r.rolname = 'dgskills_auditor') then
        execute pg_catalog.format('grant select on %s to dgskills_auditor', p_part);
    end if;
end
$$;
comment on function app_private.grant_partition_audit(regclass) is
'Grants the pgaudit object-audit role SELECT on a new partition, so reads of it are logged.';

/* The partitions a declared table lacks now: [{name, from, to}] per month, {name} for the default. */
create or replace function app_private.missing_partitions(p_parent text)
returns jsonb
language sql stable
set search_path = ''
as $$
    with rule as (
        select
            pr.parent,
            pg_catalog.split_part(pr.parent, '.', 2) as tbl,
            pg_catalog.date_trunc('month', pg_catalog.now() - pr.back, 'UTC') as first_month,
            pg_catalog.date_trunc('month', pg_catalog.now() + pr.ahead, 'UTC') as last_month
        from app_private.partition_rule as pr
        where pr.parent = p_parent
    ),

    wanted as (
        select
            pg_catalog.format('%s_p%s', r.tbl, pg_catalog.to_char(m.m at time zone 'UTC', 'YYYYMM')) as name,
            m.m as from_ts,
            m.m + interval '1 month' as to_ts
        from rule as r
        cross join lateral pg_catalog.generate_series(r.first_month, r.last_month, interval '1 month') as m (m)
        union all
        select
            r.tbl || '_default',
            null,
            null
        from rule as r
    )

    select coalesce(pg_catalog.jsonb_agg(
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('name', w.name, 'from', w.from_ts, 'to', w.to_ts))
        order by w.from_ts nulls last
    ), '[]'::jsonb)
    from wanted as w
    where pg_catalog.to_regclass(pg_catalog.format('app_partitions.%I', w.name)) is null
$$;
comment on function app_private.missing_partitions(text) is
'The partitions (months from back to ahead, and the default) that a declared partitioned table lacks now.';

create or replace function app_private.maintain_partitions(p_state jsonb)
returns jsonb
language plpgsql
set search_path = ''
set lock_timeout = '1s'
as $$
declare
    s jsonb := p_state;
    u jsonb;
    p jsonb;
    v_next text;
    v_parent regclass;  -- quoted by regclass output in the dynamic SQL
    v_name text;
    v_error text;
begin
    if s is null then
        s := pg_catalog.jsonb_build_object(
            'job', 'maintain_partitions', 'unit', 'table', 'run_started_at', pg_catalog.clock_timestamp(),
            'failures', 0, 'after', ''
        );
    end if;
    u := s -> 'table';
    if u is null then
        select pr.parent into v_next
        from app_private.partition_rule as pr
        where pr.parent > s ->> 'after'
        order by pr.parent
        limit 1;
        if not found then
            perform app_private.retention_failed(s);
            return null;
        end if;
        u := pg_catalog.jsonb_build_object(
            'parent', v_next, 'todo', app_private.missing_partitions(v_next), 'created', 0,
            'started_at', pg_catalog.clock_timestamp()
        );
    end if;
    if pg_catalog.jsonb_array_length(u -> 'todo') = 0 then
        insert into app_private.retention_run
            (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
             outcome, error, largest_batch, run_started_at)
        values
            ('maintain_partitions', u ->> 'parent', null, 0, (u ->> 'created')::integer, 0,
             (u ->> 'started_at')::timestamptz, pg_catalog.clock_timestamp(),
             case when u ? 'error' then 'failed' else 'ok' end, pg_catalog.left(u ->> 'error', 2000), 0,
             (s ->> 'run_started_at')::timestamptz);
        return (s - 'table') || pg_catalog.jsonb_build_object(
            'after', u ->> 'parent', 'failures', (s ->> 'failures')::integer + (u ? 'error')::integer
        );
    end if;
    p := u -> 'todo' -> 0;
    v_name := p ->> 'name';
    begin
        v_parent := (u ->> 'parent')::regclass;
        if p ? 'from' then
            execute pg_catalog.format(
                'create table app_partitions.%I partition of %s for values from (%L) to (%L)',
                v_name, v_parent, (p ->> 'from')::timestamptz, (p ->> 'to')::timestamptz
            );
        else
            execute pg_catalog.format('create table app_partitions.%I partition of %s default', v_name, v_parent);
        end if;
        execute pg_catalog.format('alter table app_partitions.%I enable row level security', v_name);
        execute pg_catalog.format(
            'revoke all on table app_partitions.%I from public, anon, authenticated, service_role', v_name
        );
        perform app_private.grant_partition_audit(pg_catalog.format('app_partitions.%I', v_name)::regclass);
        u := u || pg_catalog.jsonb_build_object('created', (u ->> 'created')::integer + 1);
    exception when others then
        get stacked diagnostics v_error = returned_sqlstate;
        u := u || pg_catalog.jsonb_build_object('error', pg_catalog.left(pg_catalog.format(
            '%s%s: %s: %s', coalesce((u ->> 'error') || '; ', ''), v_name, v_error, sqlerrm
        ), 2000));
    end;
    return pg_catalog.jsonb_set(s, '{table}', u || pg_catalog.jsonb_build_object('todo', (u -> 'todo') - 0));
end
$$;
comment on function app_private.maintain_partitions(jsonb) is
'S-RET-3, S-RET-6 (ROPA V-04, V-12): one step of the job maintain_partitions; creates one missing monthly (or the default) partition of a declared partitioned table in app_partitions (RLS on, no API grants, audited reads), recording each table''s run in retention_run; a partition that cannot be created is recorded and the job ends with DG009. Run by the job''s command in cron.job.';

revoke all on function
app_private.grant_partition_audit(regclass), app_private.missing_partitions(text),
app_private.maintain_partitions(jsonb)
from public, anon, authenticated, service_role;
