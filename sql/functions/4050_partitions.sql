/*
  Partitions ahead (S-RET-3, S-RET-6; schema file 6533_partitioned_retention.sql).
  For every declared partitioned table (app_private.partition_rule, seeded by
  sql/cron/0100_retention.sql) partitions cover the time from `back` before now to `ahead`
  after now, in schema app_partitions, each with row-level security on and no privilege for
  any API role (no way around the parent's policies), and a default partition.

  Where the partitions are cut: at the cutoffs the table's purge job will use at its
  scheduled runs (app_private.partition_bounds: every scheduled run minus the rule's keep,
  in UTC). The weekly purge of student_activities ('0 3 * * 0', keep 1 year) thus finds,
  when it runs on schedule, every expired row in partitions that have wholly expired, which
  it drops, and a boundary partition that starts at its cutoff: nothing is left to delete
  row by row but the rows of the seconds between the scheduled minute and the run's start.
  Calendar months would not do that: a weekly run would delete the expired week of the
  boundary month row by row, every week, and the month's drop would find it nearly empty.
  The schedule must be daily or weekly ('M H * * *' or 'M H * * D'); another one is
  refused (22023) and recorded as the job's failure. A table of few rows may span several
  runs per partition (partition_rule.runs_per_partition: audit_logs, 4): fewer partitions
  for every query without a condition on the key, and the runs between delete its expired
  rows in batches.

  Partitions are only ever added where no partition covers the time yet (a multirange
  difference), so partitions cut otherwise before (the calendar months that
  6533_partitioned_retention.sql created) stay until retention drops them, and the new
  ones start where they end. With `back` equal to the retention period this never creates
  a partition that retention dropped.

  A retention-style job (see 4000_retention_engine.sql): one step per partition created,
  each its own transaction (the job's command commits between steps), under a 1 s
  lock_timeout, since creating a partition takes ACCESS EXCLUSIVE on the parent and its
  default partition for a moment (a catalog change; the default partition is scanned, and
  stays empty). A partition that cannot be created (a lock not granted, rows of its time in
  the default partition) is recorded in retention_run (outcome failed) and the job goes on;
  it then ends with DG009 so pg_cron records the run as failed, and verify reports the
  missing time (partition_coverage).
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

/* Where the partitions of a declared table are cut: its purge job's cutoffs. */
create or replace function app_private.partition_bounds(p_parent text, p_from timestamptz, p_to timestamptz)
returns timestamptz[]
language plpgsql stable
set search_path = ''
as $$
declare
    v_keep interval;
    v_schedule text;
    v_every integer;
    f text[];
    v_all timestamptz[];
begin
    select r.keep, j.schedule, coalesce(pr.runs_per_partition, 1) into v_keep, v_schedule, v_every
    from app_private.retention_rule as r
    inner join app_private.retention_job as j on r.job = j.job
    left join app_private.partition_rule as pr on r.target = pr.parent
    where r.target = p_parent and r.action = 'delete';
    if not found then
        raise exception using errcode = '22023', message = pg_catalog.format(
            'the partitioned table %s has no purge job (app_private.retention_rule, action delete)', p_parent
        );
    end if;
    f := pg_catalog.regexp_split_to_array(pg_catalog.btrim(v_schedule), '\s+');
    if
        pg_catalog.cardinality(f) <> 5 or f[1] !~ '^[0-5]?[0-9]$' or f[2] !~ '^(1?[0-9]|2[0-3])$'
        or f[3] <> '*' or f[4] <> '*' or f[5] !~ '^([0-7]|\*)$'
    then
        raise exception using errcode = '22023', message = pg_catalog.format(
            'the purge job of %s runs on schedule %L: partition bounds need a daily or weekly one (M H * * * or M H * * D)',
            p_parent, v_schedule
        );
    end if;
    -- every runs_per_partition-th scheduled run around [p_from + keep, p_to + keep] (runs
    -- counted in days or weeks from 1970-01-01 UTC, so the same runs every time), minus keep
    select pg_catalog.array_agg(distinct app_private.retention_cutoff(
        (d.d + pg_catalog.make_interval(hours => f[2]::integer, mins => f[1]::integer)) at time zone 'UTC', v_keep
    ))
    into v_all
    from pg_catalog.generate_series(
        pg_catalog.date_trunc('day', (p_from at time zone 'UTC') + v_keep) - pg_catalog.make_interval(days => 10 + 7 * v_every),
        pg_catalog.date_trunc('day', (p_to at time zone 'UTC') + v_keep) + pg_catalog.make_interval(days => 10 + 7 * v_every),
        interval '1 day'
    ) as d (d)
    where
        (f[5] = '*' or extract(dow from d.d) = f[5]::integer % 7)
        and ((d.d::date - date '1970-01-01') / (case when f[5] = '*' then 1 else 7 end)) % v_every = 0;
    -- from the last bound at or before p_from to the first at or after p_to
    return array(
        select b.b from pg_catalog.unnest(v_all) as b (b)
        where
            b.b >= (select max(x.x) from pg_catalog.unnest(v_all) as x (x) where x.x <= p_from)
            and b.b <= (select min(x.x) from pg_catalog.unnest(v_all) as x (x) where x.x >= p_to)
        order by b.b
    );
end
$$;
comment on function app_private.partition_bounds(text, timestamptz, timestamptz) is
'Where the partitions of a declared partitioned table are cut, from the last bound at or before p_from to the first at or after p_to: the cutoffs its purge job uses at its scheduled runs (each scheduled run, or each runs_per_partition-th, minus the rule''s keep, UTC; app_private.retention_cutoff). A run on schedule then finds every expired row in partitions it can drop whole. 22023 for a table without a purge job or with a schedule other than daily or weekly.';

/* The partitions a declared table lacks now: [{name, from, to}], {name} for the default. */
create or replace function app_private.missing_partitions(p_parent text)
returns jsonb
language sql stable
set search_path = ''
as $$
    with rule as (
        select
            pg_catalog.split_part(pr.parent, '.', 2) as tbl,
            app_private.partition_bounds(
                pr.parent, app_private.retention_cutoff(pg_catalog.now(), pr.back), pg_catalog.now() + pr.ahead
            ) as b
        from app_private.partition_rule as pr
        where pr.parent = p_parent
    ),

    covered as (
        select coalesce(
            pg_catalog.range_agg(pg_catalog.tstzrange(m.m[1]::timestamptz, m.m[2]::timestamptz)),
            '{}'::pg_catalog.tstzmultirange
        ) as ranges
        from pg_catalog.pg_inherits as i
        inner join pg_catalog.pg_class as c on i.inhrelid = c.oid
        cross join lateral (
            select pg_catalog.regexp_match(
                pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'
            ) as m
        ) as m
        where i.inhparent = pg_catalog.to_regclass(p_parent) and m.m is not null
    ),

    wanted as (
        -- each span between two bounds, less what existing partitions cover
        select
            pg_catalog.format(
                '%s_p%s', r.tbl, pg_catalog.to_char(pg_catalog.lower(p.piece) at time zone 'UTC', 'YYYYMMDD"_"HH24MISS')
            ) as name,
            pg_catalog.lower(p.piece) as from_ts,
            pg_catalog.upper(p.piece) as to_ts
        from rule as r
        cross join covered as cv
        cross join lateral pg_catalog.generate_series(1, pg_catalog.cardinality(r.b) - 1) as k (k)
        cross join lateral pg_catalog.unnest(
            pg_catalog.tstzmultirange(pg_catalog.tstzrange(r.b[k.k], r.b[k.k + 1])) operator(pg_catalog.-) cv.ranges
        ) as p (piece)
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
'The partitions that a declared partitioned table lacks now: the spans between its bounds (app_private.partition_bounds) from back before now to ahead after now that no partition covers, and the default partition.';

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
'S-RET-3, S-RET-6 (ROPA V-04, V-12): one step of the job maintain_partitions; creates one missing partition (cut at the purge job''s cutoffs; app_private.partition_bounds) or the default partition of a declared partitioned table in app_partitions (RLS on, no API grants, audited reads), recording each table''s run in retention_run; a partition that cannot be created is recorded and the job ends with DG009. Run by the job''s command in cron.job.';

revoke all on function
app_private.grant_partition_audit(regclass), app_private.missing_partitions(text),
app_private.partition_bounds(text, timestamptz, timestamptz),
app_private.maintain_partitions(jsonb)
from public, anon, authenticated, service_role;
