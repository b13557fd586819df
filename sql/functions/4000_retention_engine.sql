/*
  The retention engine (S-RET). purge_job() handles, for every rule of one declared job,
  the rows older than the rule's keep interval, in batches of at most batch_size rows,
  each batch its own transaction (COMMIT between batches) with a short lock_timeout, so
  no purge holds locks on a big table for long. The cutoff is fixed when the purge
  starts: rows written meanwhile are never touched. Every run of every rule is recorded
  in app_private.retention_run, also when it removed nothing.

  No batch is larger than batch_size, whatever the timestamps: a batch is the index range
  up to the batch_size-th expired timestamp, and when more than batch_size rows share one
  timestamp (one bulk insert) they are taken batch_size at a time by ctid.

  A failing batch (a lock timeout, a trigger refusing, ...) is recorded in retention_run
  (outcome failed, SQLSTATE and message) and the job goes on with its next rule; at the
  end the job raises DG009 so pg_cron records the run as failed and verify reports it.

  The rule's table goes into the dynamic SQL as a regclass (its output is quoted) and
  format() uses plain %I/%s placeholders, so plpgsql_check can follow the statements.

  These are procedures, called with CALL as the top-level statement (as pg_cron does),
  because only a procedure can COMMIT. PostgreSQL forbids a SET search_path clause on a
  procedure that commits, so every name inside is schema-qualified instead.
*/
create or replace procedure app_private.purge_job(p_job text)
language plpgsql
as $$
declare
    r record;
    v_run_started timestamptz := pg_catalog.clock_timestamp();
    v_cutoff timestamptz;
    v_started timestamptz;
    v_batch_started timestamptz;
    v_rows bigint;
    v_total bigint;
    v_batches integer;
    v_longest numeric;
    v_largest bigint;
    v_from timestamptz;
    v_last timestamptz;
    v_done boolean;
    v_error text;
    v_failures integer := 0;
    v_target regclass;  -- the rule's table, quoted by regclass output in the dynamic SQL
begin
    if not exists (select from app_private.retention_job as j where j.job = p_job) then
        raise exception using errcode = '22023', message = pg_catalog.format('unknown retention job %L', p_job);
    end if;
    for r in
        select rr.target, rr.ts_column, rr.keep, rr.batch_size, rr.action, rr.nullify_column
        from app_private.retention_rule as rr
        where rr.job = p_job
        order by rr.target
    loop
        v_started := pg_catalog.clock_timestamp();
        v_cutoff := pg_catalog.now() - r.keep;
        v_total := 0;
        v_batches := 0;
        v_longest := 0;
        v_largest := 0;
        v_from := '-infinity';
        v_error := null;
        loop
            v_done := false;
            v_batch_started := pg_catalog.clock_timestamp();
            begin
                perform pg_catalog.set_config('lock_timeout', '5s', true);
                v_target := r.target::regclass;
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
            v_total := v_total + v_rows;
            v_batches := v_batches + 1;
            v_largest := greatest(v_largest, v_rows);
            v_longest := greatest(
                v_longest, extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
            );
            commit;
            exit when v_done or v_error is not null;
        end loop;
        insert into app_private.retention_run
            (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
             outcome, error, largest_batch, run_started_at)
        values
            (p_job, r.target, v_cutoff, v_total, v_batches, v_longest, v_started, pg_catalog.clock_timestamp(),
             case when v_error is null then 'ok' else 'failed' end, pg_catalog.left(v_error, 2000), v_largest,
             v_run_started);
        commit;
        if v_error is not null then
            v_failures := v_failures + 1;
        end if;
    end loop;
    if v_failures > 0 then
        raise exception using errcode = 'DG009', message = pg_catalog.format(
            'retention job %s: %s rule(s) failed and were recorded in app_private.retention_run; the others ran',
            p_job, v_failures
        );
    end if;
end
$$;
comment on procedure app_private.purge_job (text) is
'Retention engine: deletes (or nulls a column of) the expired rows of every rule of one declared job in committed batches of at most batch_size rows; records each run in retention_run; a failing rule is recorded, the others run, and the job ends with DG009.';

/*
  S-RET-8 (ROPA V-01, v2): a school whose processor agreement ended is deleted within 30
  days — every account of the school (the auth.users rows, so the cascade removes all
  their data), then the school. The rule's keep (27 days) is when the job starts; it
  runs daily, so two failed runs in a row still leave a third run before day 30 (the
  rule's deadline; verify reports a school past it). Each school is its own unit: one
  that fails is recorded (retention_run, outcome failed) and the job goes on with the
  next; the job then ends with DG009. Batched like purge_job; audited without personal
  data (counts only).
*/
create or replace procedure app_private.offboard_ended_schools()
language plpgsql
as $$
declare
    s record;
    v_keep interval;
    v_deadline interval;
    v_run_started timestamptz := pg_catalog.clock_timestamp();
    v_started timestamptz;
    v_batch_started timestamptz;
    v_rows bigint;
    v_total bigint;
    v_batches integer;
    v_longest numeric;
    v_largest bigint;
    v_batch integer := 500;
    v_error text;
    v_done_schools bigint := 0::bigint;
    v_failures integer := 0;
begin
    select rr.keep, coalesce(rr.deadline, rr.keep), rr.batch_size into v_keep, v_deadline, v_batch
    from app_private.retention_rule as rr
    where rr.job = 'offboard_ended_schools' and rr.target = 'public.schools';
    if v_keep is null then
        raise exception using errcode = '22023', message = 'offboard_ended_schools has no rule for public.schools';
    end if;
    for s in
        select sc.id, sc.contract_ends_on
        from public.schools as sc
        where sc.contract_ends_on is not null
          and sc.contract_ends_on + v_keep <= (pg_catalog.now() at time zone 'UTC')
        order by sc.contract_ends_on, sc.id
    loop
        v_started := pg_catalog.clock_timestamp();
        v_total := 0;
        v_batches := 0;
        v_longest := 0;
        v_largest := 0;
        v_error := null;
        loop
            v_batch_started := pg_catalog.clock_timestamp();
            begin
                perform pg_catalog.set_config('lock_timeout', '5s', true);
                delete from auth.users as au
                where au.id in (select u.id from public.users as u where u.school_id = s.id limit v_batch);
                get diagnostics v_rows = row_count;
                if v_rows < v_batch then
                    delete from public.schools as sc where sc.id = s.id;
                    insert into public.audit_logs (action, metadata)
                    values ('school_offboarded', pg_catalog.jsonb_build_object(
                        'school_id', s.id, 'contract_ended_on', s.contract_ends_on,
                        'accounts_deleted', v_total + v_rows,
                        'legal_basis',
                        'Art. 28(3)(g) GDPR; ROPA V-01: deletion within 30 days after the processor agreement ends'
                    ));
                end if;
            exception when others then
                get stacked diagnostics v_error = returned_sqlstate;
                v_error := v_error || ': ' || sqlerrm;
                v_rows := 0;
            end;
            v_total := v_total + v_rows;
            v_batches := v_batches + 1;
            v_largest := greatest(v_largest, v_rows);
            v_longest := greatest(
                v_longest, extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
            );
            commit;
            exit when v_error is not null or v_rows < v_batch;
        end loop;
        insert into app_private.retention_run
            (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
             outcome, error, largest_batch, run_started_at)
        values
            ('offboard_ended_schools', 'auth.users', s.contract_ends_on::timestamptz + v_deadline,
             v_total, v_batches, v_longest, v_started, pg_catalog.clock_timestamp(),
             case when v_error is null then 'ok' else 'failed' end, pg_catalog.left(v_error, 2000), v_largest,
             v_run_started);
        commit;
        if v_error is null then
            v_done_schools := v_done_schools + 1;
        else
            v_failures := v_failures + 1;
        end if;
    end loop;
    insert into app_private.retention_run
        (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
         outcome, error, largest_batch, run_started_at)
    values
        ('offboard_ended_schools', 'public.schools', pg_catalog.now() - v_keep, v_done_schools, 0, 0,
         v_run_started, pg_catalog.clock_timestamp(), case when v_failures = 0 then 'ok' else 'failed' end,
         case when v_failures > 0 then pg_catalog.format('%s school(s) failed; see the auth.users rows of this run',
             v_failures) end, 0, v_run_started);
    commit;
    if v_failures > 0 then
        raise exception using errcode = 'DG009', message = pg_catalog.format(
            'offboard_ended_schools: %s school(s) could not be offboarded and were recorded in '
            'app_private.retention_run; %s other(s) were offboarded', v_failures, v_done_schools
        );
    end if;
end
$$;
comment on procedure app_private.offboard_ended_schools () is
'S-RET-8: deletes every account (auth.users, cascading) and then the school, from keep (27 days) after contract_ends_on, within the deadline of 30 days; one failing school is recorded and the others go on (DG009 at the end).';

/*
  S-RET-10 (ROPA V-01, v2): pupils a school admin marked as having left (users.left_on)
  are deleted — the auth.users row, so everything cascades — from keep (27 days) after
  left_on, daily, so two failed runs still delete within the 30-day deadline. One
  transaction and one run-log row per account (no personal data: the deadline and the
  outcome); a failing account is recorded and the job goes on (DG009 at the end). The
  school admin finds a 'leaver_account_deleted' entry in the audit log (school and date
  only; the account id is gone with the account).
*/
create or replace procedure app_private.purge_leavers()
language plpgsql
as $$
declare
    a record;
    v_keep interval;
    v_deadline interval;
    v_run_started timestamptz := pg_catalog.clock_timestamp();
    v_started timestamptz;
    v_rows bigint;
    v_error text;
    v_done bigint := 0::bigint;
    v_failures integer := 0;
begin
    select rr.keep, coalesce(rr.deadline, rr.keep) into v_keep, v_deadline
    from app_private.retention_rule as rr
    where rr.job = 'purge_leavers' and rr.target = 'public.users';
    if v_keep is null then
        raise exception using errcode = '22023', message = 'purge_leavers has no rule for public.users';
    end if;
    for a in
        select u.id, u.school_id, u.left_on
        from public.users as u
        where u.left_on is not null and u.role = 'student' and u.left_on + v_keep <= (pg_catalog.now() at time zone 'UTC')
        order by u.left_on, u.id
    loop
        v_started := pg_catalog.clock_timestamp();
        v_error := null;
        v_rows := 0;
        begin
            perform pg_catalog.set_config('lock_timeout', '5s', true);
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
             pg_catalog.left(v_error, 2000), v_rows, v_run_started);
        commit;
        if v_error is null then
            v_done := v_done + v_rows;
        else
            v_failures := v_failures + 1;
        end if;
    end loop;
    insert into app_private.retention_run
        (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at,
         outcome, error, largest_batch, run_started_at)
    values
        ('purge_leavers', 'public.users', pg_catalog.now() - v_keep, v_done, 0, 0, v_run_started,
         pg_catalog.clock_timestamp(), case when v_failures = 0 then 'ok' else 'failed' end,
         case when v_failures > 0 then pg_catalog.format('%s account(s) failed; see the auth.users rows of this run',
             v_failures) end, 0, v_run_started);
    commit;
    if v_failures > 0 then
        raise exception using errcode = 'DG009', message = pg_catalog.format(
            'purge_leavers: %s account(s) could not be deleted and were recorded in app_private.retention_run; '
            '%s other(s) were deleted', v_failures, v_done
        );
    end if;
end
$$;
comment on procedure app_private.purge_leavers () is
'S-RET-10: deletes the accounts (auth.users, cascading) of pupils marked as having left, from keep (27 days) after left_on, within the 30-day deadline; one run-log row per account; a failing account is recorded and the others go on (DG009 at the end).';

revoke all on procedure app_private.purge_job(text), app_private.offboard_ended_schools(), app_private.purge_leavers()
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
