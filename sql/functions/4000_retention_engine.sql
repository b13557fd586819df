/*
  The retention engine (S-RET). A job run is a loop of steps; each step is one call of the
  job's function and one transaction. The job's command in cron.job is that loop, the same
  for every job (app_private.retention_command() writes it):

      do $job$ declare s jsonb; begin loop s := app_private.purge_duels(s); commit;
      exit when s is null; end loop; end $job$

  Why a DO block: the run commits between batches, and PostgreSQL forbids a SET clause on a
  procedure that commits, so a procedure could not pin its search_path (splinter 0011,
  function_search_path_mutable). The commits are therefore in the DO block, which has no
  catalog entry and runs at top level (pg_cron runs its command so, as psql does), and every
  function that does the work pins search_path = '' and never commits.

  The state (jsonb) carries what a step needs from the steps before it: when the run
  started, what failed so far, the current unit (rule, school) and how far it got. A null
  state starts a run; a step returns null when the run is complete. When something failed,
  the last step raises DG009 instead (every record was committed by the steps before), so
  pg_cron records the run as failed and verify reports it.

  purge_job() handles, for every rule of one declared job, the rows older than the rule's
  keep interval, in batches of at most batch_size rows, one batch per step, with a short
  lock_timeout, so no purge holds locks on a big table for long. The cutoff is fixed when
  the rule starts: rows written meanwhile are never touched. Every run of every rule is
  recorded in app_private.retention_run, also when it removed nothing, in the transaction of
  its last batch.

  No batch is larger than batch_size, whatever the timestamps: a batch is the index range
  up to the batch_size-th expired timestamp, and when more than batch_size rows share one
  timestamp (one bulk insert) they are taken batch_size at a time by ctid.

  A failing batch (a lock timeout, a trigger refusing, ...) is recorded in retention_run
  (outcome failed, SQLSTATE and message) and the job goes on with its next rule.

  A partitioned table (app_private.partition_rule) first loses, one per step, the partitions
  whose every row has expired (DROP TABLE of the partition: a catalog change, no dead
  tuples, no vacuum; ACCESS EXCLUSIVE on the parent for that moment, under a 1 s
  lock_timeout; the rows are counted under a SHARE lock first, which blocks no reader). The
  batches then find expired rows only in the boundary partition and the default partition.
  Partitions are cut at the cutoffs of the job's own scheduled runs (4050_partitions.sql),
  so a run on schedule finds the boundary partition starting at its cutoff: it deletes only
  the rows of the seconds between the scheduled minute and the run's start, not a week's.
  A partition that cannot be dropped is recorded (the rule's run fails) and its rows go by
  the batches instead.

  The cutoff is the run's start minus the rule's keep, computed in UTC whatever the
  session's TimeZone (app_private.retention_cutoff), as the partition bounds are.

  The rule's table goes into the dynamic SQL as a regclass (its output is quoted) and
  format() uses plain %I/%s placeholders, so plpgsql_check can follow the statements.
*/
create or replace function app_private.retention_cutoff(p_at timestamptz, p_keep interval)
returns timestamptz
language sql immutable parallel safe
set search_path = ''
as $$
    select (p_at at time zone 'UTC' - p_keep) at time zone 'UTC'
$$;
comment on function app_private.retention_cutoff(timestamptz, interval) is
'The retention cutoff of a run starting at p_at for a keep interval: rows older than it have expired. Computed in UTC (a year back is the same UTC time of day, whatever the session''s TimeZone), by purge_job and by the partition bounds alike.';

drop procedure if exists app_private.purge_job(text);
drop procedure if exists app_private.offboard_ended_schools();
drop procedure if exists app_private.purge_leavers();

create or replace function app_private.retention_command(p_step regprocedure)
returns text
language sql stable
set search_path = ''
as $$
    select pg_catalog.format(
        'do $job$ declare s jsonb; begin loop s := %s(s); commit; exit when s is null; end loop; end $job$',
        (
            select pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)
            from pg_catalog.pg_proc as p
            inner join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
            where p.oid = p_step
        )
    )
$$;
comment on function app_private.retention_command(regprocedure) is
'The command pg_cron runs for a retention job: a DO block that calls the job''s step function until it returns null, committing after each step. Run it by hand at top level (psql: select command from app_private.retention_job where job = ''…'' \gexec).';

create or replace function app_private.retention_failed(p_state jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
    if coalesce((p_state ->> 'failures')::integer, 0) > 0 then
        raise exception using errcode = 'DG009', message = pg_catalog.format(
            'retention job %s: %s %s(s) failed and were recorded in app_private.retention_run; %s',
            p_state ->> 'job', p_state ->> 'failures', coalesce(p_state ->> 'unit', 'unit'),
            coalesce(p_state ->> 'summary', 'the others ran')
        );
    end if;
end
$$;
comment on function app_private.retention_failed(jsonb) is
'The last step of a retention run: raises DG009 when a rule, school or account of the run failed (all recorded in retention_run), so pg_cron records the run as failed.';

create or replace function app_private.expired_partitions(p_parent text, p_cutoff timestamptz)
returns text[]
language sql stable
set search_path = ''
as $$
    select coalesce(pg_catalog.array_agg(b.part::text order by b.upper_bound), '{}'::text[])
    from (
        select
            i.inhrelid::regclass as part,
            (pg_catalog.regexp_match(
                pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'
            ))[1]::timestamptz as upper_bound
        from pg_catalog.pg_inherits as i
        inner join pg_catalog.pg_class as c on i.inhrelid = c.oid
        where
            i.inhparent = pg_catalog.to_regclass(p_parent)
            and exists (select from app_private.partition_rule as pr where pr.parent = p_parent)
    ) as b
    where b.upper_bound <= p_cutoff
$$;
comment on function app_private.expired_partitions(text, timestamptz) is
'The partitions of a declared partitioned table whose every row is older than the cutoff (upper bound at or before it), oldest first; empty for any other table.';

create or replace function app_private.purge_job(p_job text, p_state jsonb)
returns jsonb
language plpgsql
set search_path = ''
set lock_timeout = '5s'
as $$
declare
    s jsonb := p_state;
    u jsonb;
    r record;
    v_next text;
    v_keep interval;
    v_batch_started timestamptz := pg_catalog.clock_timestamp();
    v_cutoff timestamptz;
    v_from timestamptz;
    v_last timestamptz;
    v_rows bigint := 0::bigint;
    v_done boolean := false;
    v_error text;
    v_target regclass;  -- the rule's table, quoted by regclass output in the dynamic SQL
    v_part regclass;
begin
    if s is null then
        if not exists (select from app_private.retention_job as j where j.job = p_job) then
            raise exception using errcode = '22023', message = pg_catalog.format('unknown retention job %L', p_job);
        end if;
        s := pg_catalog.jsonb_build_object(
            'job', p_job, 'unit', 'rule', 'run_started_at', v_batch_started, 'failures', 0, 'after', ''
        );
    elsif s ->> 'job' is distinct from p_job then
        raise exception using errcode = '22023', message = pg_catalog.format(
            'the state passed to the retention job %s belongs to %s', p_job, s ->> 'job'
        );
    end if;
    u := s -> 'rule';
    if u is null then
        -- Between rules: start the next one (in the order of their tables), or end the run.
        select rr.target, rr.keep into v_next, v_keep
        from app_private.retention_rule as rr
        where rr.job = p_job and rr.target > s ->> 'after'
        order by rr.target
        limit 1;
        if not found then
            perform app_private.retention_failed(s);
            return null;
        end if;
        u := pg_catalog.jsonb_build_object(
            'target', v_next, 'cutoff', app_private.retention_cutoff(pg_catalog.now(), v_keep), 'from', '-infinity'::timestamptz,
            'started_at', v_batch_started, 'rows', 0, 'batches', 0, 'longest_ms', 0, 'largest', 0,
            'dropped', 0, 'expired', pg_catalog.to_jsonb(app_private.expired_partitions(
                v_next, app_private.retention_cutoff(pg_catalog.now(), v_keep)
            ))
        );
    end if;
    v_cutoff := (u ->> 'cutoff')::timestamptz;
    v_from := (u ->> 'from')::timestamptz;
    if pg_catalog.jsonb_array_length(coalesce(u -> 'expired', '[]'::jsonb)) > 0 then
        -- This step drops one wholly expired partition (see the header).
        v_part := pg_catalog.to_regclass(u -> 'expired' ->> 0);
        begin
            if v_part is not null then
                perform pg_catalog.set_config('lock_timeout', '1s', true);
                execute pg_catalog.format('lock table %s in share mode', v_part);
                execute pg_catalog.format('select count(*) from %s', v_part) into v_rows;
                v_batch_started := pg_catalog.clock_timestamp();
                execute pg_catalog.format('drop table %s', v_part);
                v_done := true;  -- here: this step dropped its partition
            end if;
        exception when others then
            get stacked diagnostics v_error = returned_sqlstate;
            u := u || pg_catalog.jsonb_build_object('drop_error', pg_catalog.format(
                'partition %s not dropped (%s: %s); its rows were deleted in batches', v_part, v_error, sqlerrm
            ));
            v_error := null;
            v_rows := 0;
        end;
        u := u || pg_catalog.jsonb_build_object(
            'expired', (u -> 'expired') - 0,
            'rows', (u ->> 'rows')::bigint + v_rows,
            'dropped', (u ->> 'dropped')::integer + v_done::integer,
            'longest_ms', greatest(
                (u ->> 'longest_ms')::numeric,
                extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
            )
        );
        return pg_catalog.jsonb_set(s, '{rule}', u);
    end if;
    begin
        select rr.ts_column, rr.batch_size, rr.action, rr.nullify_column into strict r
        from app_private.retention_rule as rr
        where rr.job = p_job and rr.target = u ->> 'target';
        v_target := (u ->> 'target')::regclass;
        if r.action = 'nullify' then
            -- A partial index on the clock column where the column is set keeps this cheap.
            execute pg_catalog.format(
                'update %s set %I = null where ctid = any(array(select ctid from %s '
                'where %I < $1 and %I is not null limit $2))',
                v_target, r.nullify_column, v_target, r.ts_column, r.nullify_column
            ) using v_cutoff, r.batch_size;
            get diagnostics v_rows = row_count;
            v_done := v_rows < r.batch_size;
        else
            -- Oldest first, in ranges of the timestamp index: the row after the
            -- batch_size-th expired one (from where the previous batch ended) bounds
            -- this batch, so each batch is one index range delete of at most
            -- batch_size rows and never walks over rows already deleted.
            execute pg_catalog.format(
                'select %I from %s where %I >= $1 and %I < $2 order by %I offset $3 limit 1',
                r.ts_column, v_target, r.ts_column, r.ts_column, r.ts_column
            ) into v_last using v_from, v_cutoff, r.batch_size;
            if v_last is null then
                execute pg_catalog.format(
                    'delete from %s where %I >= $1 and %I < $2', v_target, r.ts_column, r.ts_column
                ) using v_from, v_cutoff;
                get diagnostics v_rows = row_count;
                v_done := true;
            elsif v_last > v_from then
                execute pg_catalog.format(
                    'delete from %s where %I >= $1 and %I < $2', v_target, r.ts_column, r.ts_column
                ) using v_from, v_last;
                get diagnostics v_rows = row_count;
                v_from := v_last;
            else
                -- More than batch_size rows share the timestamp v_from: take
                -- batch_size of them; the next batch looks again from v_from.
                execute pg_catalog.format(
                    'delete from %s where ctid = any(array(select ctid from %s where %I = $1 limit $2))',
                    v_target, v_target, r.ts_column
                ) using v_from, r.batch_size;
                get diagnostics v_rows = row_count;
            end if;
        end if;
    exception when others then
        get stacked diagnostics v_error = returned_sqlstate;
        v_error := v_error || ': ' || sqlerrm;
        v_rows := 0;
    end;
    u := u || pg_catalog.jsonb_build_object(
        'from', v_from,
        'rows', (u ->> 'rows')::bigint + v_rows,
        'batches', (u ->> 'batches')::integer + 1,
        'largest', greatest((u ->> 'largest')::bigint, v_rows),
        'longest_ms', greatest(
            (u ->> 'longest_ms')::numeric,
            extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
        )
    );
    if not (v_done or v_error is not null) then
        return pg_catalog.jsonb_set(s, '{rule}', u);
    end if;
    v_error := coalesce(v_error, u ->> 'drop_error');
    insert into app_private.retention_run
        (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
         outcome, error, largest_batch, run_started_at, partitions_dropped)
    values
        (p_job, u ->> 'target', v_cutoff, (u ->> 'rows')::bigint, (u ->> 'batches')::integer,
         (u ->> 'longest_ms')::numeric, (u ->> 'started_at')::timestamptz, pg_catalog.clock_timestamp(),
         case when v_error is null then 'ok' else 'failed' end, pg_catalog.left(v_error, 2000),
         (u ->> 'largest')::bigint, (s ->> 'run_started_at')::timestamptz,
         coalesce((u ->> 'dropped')::integer, 0));
    return (s - 'rule') || pg_catalog.jsonb_build_object(
        'after', u ->> 'target',
        'failures', (s ->> 'failures')::integer + (v_error is not null)::integer
    );
end
$$;
comment on function app_private.purge_job(text, jsonb) is
'Retention engine, one step of a job run: one batch (at most batch_size rows deleted, or a column nulled) of the job''s current rule, recording the rule''s run in retention_run when it is done or failed; returns the state for the next step, null when the run is complete (DG009 instead when a rule failed; the others ran). Called by the job''s function; never commits.';

/*
  S-RET-8 (ROPA V-01, v2): a school whose processor agreement ended is deleted within 30
  days — every account of the school (the auth.users rows, so the cascade removes all
  their data), then the school. The rule's keep (27 days) is when the job starts; it
  runs daily, so two failed runs in a row still leave a third run before day 30 (the
  rule's deadline; verify reports a school past it). Each school is its own unit, taken in
  the order of contract_ends_on: one that fails is recorded (retention_run, outcome
  failed) and the job goes on with the next; the job then ends with DG009. One batch of
  accounts per step; audited without personal data (counts only).
*/
create or replace function app_private.offboard_ended_schools(p_state jsonb)
returns jsonb
language plpgsql
set search_path = ''
set lock_timeout = '5s'
as $$
declare
    s jsonb := p_state;
    u jsonb;
    v_keep interval;
    v_deadline interval;
    v_batch integer;
    v_id uuid;
    v_ends date;
    v_batch_started timestamptz := pg_catalog.clock_timestamp();
    v_rows bigint := 0::bigint;
    v_error text;
begin
    select rr.keep, coalesce(rr.deadline, rr.keep), rr.batch_size into v_keep, v_deadline, v_batch
    from app_private.retention_rule as rr
    where rr.job = 'offboard_ended_schools' and rr.target = 'public.schools';
    if v_keep is null then
        raise exception using errcode = '22023', message = 'offboard_ended_schools has no rule for public.schools';
    end if;
    if s is null then
        s := pg_catalog.jsonb_build_object(
            'job', 'offboard_ended_schools', 'unit', 'school', 'run_started_at', v_batch_started,
            'now', pg_catalog.now(),
            'failures', 0, 'done', 0
        );
    end if;
    if s ? 'end' then
        perform app_private.retention_failed(s);
        return null;
    end if;
    u := s -> 'school';
    if u is null then
        select sc.id, sc.contract_ends_on into v_id, v_ends
        from public.schools as sc
        where
            sc.contract_ends_on is not null
            and sc.contract_ends_on + v_keep <= ((s ->> 'now')::timestamptz at time zone 'UTC')
            and (
                s -> 'after' is null
                or (sc.contract_ends_on, sc.id) > ((s #>> '{after,0}')::date, (s #>> '{after,1}')::uuid)
            )
        order by sc.contract_ends_on, sc.id
        limit 1;
        if not found then
            insert into app_private.retention_run
                (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
                 outcome, error, largest_batch, run_started_at)
            values
                ('offboard_ended_schools', 'public.schools', (s ->> 'now')::timestamptz - v_keep,
                 (s ->> 'done')::bigint, 0, 0, (s ->> 'run_started_at')::timestamptz, pg_catalog.clock_timestamp(),
                 case when (s ->> 'failures')::integer = 0 then 'ok' else 'failed' end,
                 case when (s ->> 'failures')::integer > 0 then pg_catalog.format(
                     '%s school(s) failed; see the auth.users rows of this run', s ->> 'failures'
                 ) end, 0, (s ->> 'run_started_at')::timestamptz);
            return s || pg_catalog.jsonb_build_object(
                'end', true, 'summary', pg_catalog.format('%s other school(s) were offboarded', s ->> 'done')
            );
        end if;
        u := pg_catalog.jsonb_build_object(
            'id', v_id, 'contract_ends_on', v_ends, 'started_at', v_batch_started,
            'rows', 0, 'batches', 0, 'longest_ms', 0, 'largest', 0
        );
    end if;
    v_id := (u ->> 'id')::uuid;
    v_ends := (u ->> 'contract_ends_on')::date;
    begin
        delete from auth.users as au
        where au.id in (select us.id from public.users as us where us.school_id = v_id limit v_batch);
        get diagnostics v_rows = row_count;
        if v_rows < v_batch then
            delete from public.schools as sc where sc.id = v_id;
            insert into public.audit_logs (action, metadata)
            values ('school_offboarded', pg_catalog.jsonb_build_object(
                'school_id', v_id, 'contract_ended_on', v_ends,
                'accounts_deleted', (u ->> 'rows')::bigint + v_rows,
                'legal_basis',
                'Art. 28(3)(g) GDPR; ROPA V-01: deletion within 30 days after the processor agreement ends'
            ));
        end if;
    exception when others then
        get stacked diagnostics v_error = returned_sqlstate;
        v_error := v_error || ': ' || sqlerrm;
        v_rows := 0;
    end;
    u := u || pg_catalog.jsonb_build_object(
        'rows', (u ->> 'rows')::bigint + v_rows,
        'batches', (u ->> 'batches')::integer + 1,
        'largest', greatest((u ->> 'largest')::bigint, v_rows),
        'longest_ms', greatest(
            (u ->> 'longest_ms')::numeric,
            extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
        )
    );
    if v_error is null and v_rows >= v_batch then
        return pg_catalog.jsonb_set(s, '{school}', u);
    end if;
    insert into app_private.retention_run
        (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
         outcome, error, largest_batch, run_started_at)
    values
        ('offboard_ended_schools', 'auth.users', v_ends::timestamptz + v_deadline,
         (u ->> 'rows')::bigint, (u ->> 'batches')::integer, (u ->> 'longest_ms')::numeric,
         (u ->> 'started_at')::timestamptz, pg_catalog.clock_timestamp(),
         case when v_error is null then 'ok' else 'failed' end, pg_catalog.left(v_error, 2000),
         (u ->> 'largest')::bigint, (s ->> 'run_started_at')::timestamptz);
    return (s - 'school') || pg_catalog.jsonb_build_object(
        'after', pg_catalog.jsonb_build_array(v_ends, v_id),
        'failures', (s ->> 'failures')::integer + (v_error is not null)::integer,
        'done', (s ->> 'done')::bigint + (v_error is null)::integer
    );
end
$$;
comment on function app_private.offboard_ended_schools(jsonb) is
'S-RET-8, one step: one batch of the accounts (auth.users, cascading) of a school from keep (27 days) after contract_ends_on, then the school, within the deadline of 30 days; one failing school is recorded and the others go on (DG009 at the end). Run by the job''s command in cron.job.';

/*
  S-RET-10 (ROPA V-01, v2): pupils a school admin marked as having left (users.left_on)
  are deleted — the auth.users row, so everything cascades — from keep (27 days) after
  left_on, daily, so two failed runs still delete within the 30-day deadline. One step
  (one transaction) and one run-log row per account, in the order of left_on (no personal
  data: the deadline and the outcome); a failing account is recorded and the job goes on
  (DG009 at the end). The school admin finds a 'leaver_account_deleted' entry in the audit
  log (school and date only; the account id is gone with the account).
*/
create or replace function app_private.purge_leavers(p_state jsonb)
returns jsonb
language plpgsql
set search_path = ''
set lock_timeout = '5s'
as $$
declare
    s jsonb := p_state;
    a record;
    v_keep interval;
    v_deadline interval;
    v_started timestamptz := pg_catalog.clock_timestamp();
    v_rows bigint := 0::bigint;
    v_error text;
begin
    select rr.keep, coalesce(rr.deadline, rr.keep) into v_keep, v_deadline
    from app_private.retention_rule as rr
    where rr.job = 'purge_leavers' and rr.target = 'public.users';
    if v_keep is null then
        raise exception using errcode = '22023', message = 'purge_leavers has no rule for public.users';
    end if;
    if s is null then
        s := pg_catalog.jsonb_build_object(
            'job', 'purge_leavers', 'unit', 'account', 'run_started_at', v_started, 'now', pg_catalog.now(),
            'failures', 0, 'done', 0
        );
    end if;
    if s ? 'end' then
        perform app_private.retention_failed(s);
        return null;
    end if;
    select u.id, u.school_id, u.left_on into a
    from public.users as u
    where
        u.left_on is not null
        and u.role = 'student'
        and u.left_on + v_keep <= ((s ->> 'now')::timestamptz at time zone 'UTC')
        and (s -> 'after' is null or (u.left_on, u.id) > ((s #>> '{after,0}')::date, (s #>> '{after,1}')::uuid))
    order by u.left_on, u.id
    limit 1;
    if not found then
        insert into app_private.retention_run
            (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
             outcome, error, largest_batch, run_started_at)
        values
            ('purge_leavers', 'public.users', (s ->> 'now')::timestamptz - v_keep, (s ->> 'done')::bigint, 0, 0,
             (s ->> 'run_started_at')::timestamptz, pg_catalog.clock_timestamp(),
             case when (s ->> 'failures')::integer = 0 then 'ok' else 'failed' end,
             case when (s ->> 'failures')::integer > 0 then pg_catalog.format(
                 '%s account(s) failed; see the auth.users rows of this run', s ->> 'failures'
             ) end, 0, (s ->> 'run_started_at')::timestamptz);
        return s || pg_catalog.jsonb_build_object(
            'end', true, 'summary', pg_catalog.format('%s other account(s) were deleted', s ->> 'done')
        );
    end if;
    begin
        -- Re-checked under the row lock: an admin may have undone the mark meanwhile.
        perform from public.users as u where u.id = a.id and u.left_on is not null for update;
        if found then
            delete from auth.users as au where au.id = a.id;
            get diagnostics v_rows = row_count;
            insert into public.audit_logs (action, school_id, metadata)
            values ('leaver_account_deleted', a.school_id, pg_catalog.jsonb_build_object(
                'left_on', a.left_on,
                'legal_basis', 'Art. 5(1)(e) GDPR; ROPA V-01: accounts of pupils who left are deleted within 30 days'
            ));
        end if;
    exception when others then
        get stacked diagnostics v_error = returned_sqlstate;
        v_error := v_error || ': ' || sqlerrm;
        v_rows := 0;
    end;
    insert into app_private.retention_run
        (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
         outcome, error, largest_batch, run_started_at)
    values
        ('purge_leavers', 'auth.users', a.left_on::timestamptz + v_deadline, v_rows, 1,
         extract(epoch from pg_catalog.clock_timestamp() - v_started) * 1000, v_started,
         pg_catalog.clock_timestamp(), case when v_error is null then 'ok' else 'failed' end,
         pg_catalog.left(v_error, 2000), v_rows, (s ->> 'run_started_at')::timestamptz);
    return s || pg_catalog.jsonb_build_object(
        'after', pg_catalog.jsonb_build_array(a.left_on, a.id),
        'failures', (s ->> 'failures')::integer + (v_error is not null)::integer,
        'done', (s ->> 'done')::bigint + v_rows
    );
end
$$;
comment on function app_private.purge_leavers(jsonb) is
'S-RET-10, one step: deletes the account (auth.users, cascading) of one pupil marked as having left, from keep (27 days) after left_on, within the 30-day deadline, with its run-log row; a failing account is recorded and the others go on (DG009 at the end). Run by the job''s command in cron.job.';

revoke all on function
app_private.retention_command(regprocedure), app_private.retention_failed(jsonb),
app_private.purge_job(text, jsonb), app_private.offboard_ended_schools(jsonb), app_private.purge_leavers(jsonb),
app_private.expired_partitions(text, timestamptz), app_private.retention_cutoff(timestamptz, interval)
from public, anon, authenticated, service_role;

/* S-RET-12: when a job was first declared, for liveness before its first run. */
create or replace function app_private.tg_retention_job_declared()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    insert into app_private.retention_job_declared (job) values (new.job) on conflict (job) do nothing;
    return null;
end
$$;
comment on function app_private.tg_retention_job_declared() is
'Records when a retention job was first declared (app_private.retention_job_declared).';
revoke all on function app_private.tg_retention_job_declared() from public, anon, authenticated, service_role;
drop trigger if exists record_declared on app_private.retention_job;
create trigger record_declared after insert or update on app_private.retention_job
for each row execute function app_private.tg_retention_job_declared();
