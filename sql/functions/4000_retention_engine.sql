/*
  The retention engine (S-RET). purge_job() deletes, for every rule of one declared job,
  the rows older than the rule's keep interval, in batches of batch_size rows, each batch
  its own transaction (COMMIT between batches) with a short lock_timeout, so no purge
  holds locks on a big table for long. The cutoff is fixed when the purge starts: rows
  written meanwhile are never touched. Every run of every rule is recorded in
  app_private.retention_run, also when it removed nothing.

  These are procedures, called with CALL as the top-level statement (as pg_cron does),
  because only a procedure can COMMIT. PostgreSQL forbids a SET search_path clause on a
  procedure that commits, so every name inside is schema-qualified instead.
*/
create or replace procedure app_private.purge_job(p_job text)
language plpgsql
as $$
declare
    r record;
    v_cutoff timestamptz;
    v_started timestamptz;
    v_batch_started timestamptz;
    v_rows bigint;
    v_total bigint;
    v_batches integer;
    v_longest numeric;
    v_from timestamptz;
    v_last timestamptz;
    v_target regclass;  -- the rule's table, quoted by regclass output in the dynamic SQL
begin
    if not exists (select from app_private.retention_job as j where j.job = p_job) then
        raise exception using errcode = '22023', message = pg_catalog.format('unknown retention job %L', p_job);
    end if;
    for r in
        select rr.target, rr.ts_column, rr.keep, rr.batch_size
        from app_private.retention_rule as rr
        where rr.job = p_job
        order by rr.target
    loop
        v_started := pg_catalog.clock_timestamp();
        v_target := r.target::regclass;
        v_cutoff := pg_catalog.now() - r.keep;
        v_total := 0;
        v_batches := 0;
        v_longest := 0;
        v_from := '-infinity';
        loop
            perform pg_catalog.set_config('lock_timeout', '5s', true);
            v_batch_started := pg_catalog.clock_timestamp();
            -- Oldest first, in ranges of the timestamp index: the batch_size-th expired
            -- timestamp from where the previous batch ended bounds this batch, so each
            -- batch is one index range delete and never walks over rows already deleted.
            execute pg_catalog.format(
                'select %I from %s where %I >= $1 and %I < $2 order by %I offset $3 limit 1',
                r.ts_column, v_target, r.ts_column, r.ts_column, r.ts_column
            ) into v_last using v_from, v_cutoff, r.batch_size;
            if v_last is null or v_last = v_from then
                v_last := case when v_last = v_from then v_from + interval '1 microsecond' else v_cutoff end;
            end if;
            execute pg_catalog.format(
                'delete from %s where %I >= $1 and %I < $2', v_target, r.ts_column, r.ts_column
            ) using v_from, least(v_last, v_cutoff);
            get diagnostics v_rows = row_count;
            v_from := least(v_last, v_cutoff);
            v_total := v_total + v_rows;
            v_batches := v_batches + 1;
            v_longest := greatest(
                v_longest, extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
            );
            commit;
            exit when v_from >= v_cutoff;
        end loop;
        insert into app_private.retention_run
            (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at)
        values
            (p_job, r.target, v_cutoff, v_total, v_batches, v_longest, v_started, pg_catalog.clock_timestamp());
        commit;
    end loop;
end
$$;
comment on procedure app_private.purge_job (text) is
'Retention engine: deletes the expired rows of every rule of one declared job in committed batches and records each run in retention_run.';

/*
  S-RET-8 (ROPA V-01): 30 days after a school's processor agreement ended, delete every
  account of the school — the auth.users rows, so the cascade removes all their data —
  then the school. Batched like purge_job; audited without personal data (counts only).
*/
create or replace procedure app_private.offboard_ended_schools()
language plpgsql
as $$
declare
    s record;
    v_started timestamptz;
    v_batch_started timestamptz;
    v_rows bigint;
    v_total bigint;
    v_batches integer;
    v_longest numeric;
    v_batch integer := 500;
begin
    for s in
        select sc.id, sc.contract_ends_on
        from public.schools as sc
        where sc.contract_ends_on is not null
          and sc.contract_ends_on <= (pg_catalog.now() at time zone 'UTC')::date - 30
        order by sc.contract_ends_on
    loop
        v_started := pg_catalog.clock_timestamp();
        v_total := 0;
        v_batches := 0;
        v_longest := 0;
        loop
            perform pg_catalog.set_config('lock_timeout', '5s', true);
            v_batch_started := pg_catalog.clock_timestamp();
            delete from auth.users as au
            where au.id in (select u.id from public.users as u where u.school_id = s.id limit v_batch);
            get diagnostics v_rows = row_count;
            v_total := v_total + v_rows;
            v_batches := v_batches + 1;
            v_longest := greatest(
                v_longest, extract(epoch from pg_catalog.clock_timestamp() - v_batch_started) * 1000
            );
            commit;
            exit when v_rows < v_batch;
        end loop;
        delete from public.schools as sc where sc.id = s.id;
        insert into public.audit_logs (action, metadata)
        values ('school_offboarded', pg_catalog.jsonb_build_object(
            'school_id', s.id, 'contract_ended_on', s.contract_ends_on, 'accounts_deleted', v_total,
            'legal_basis', 'Art. 28(3)(g) GDPR; ROPA V-01: deletion within 30 days after the processor agreement ends'
        ));
        insert into app_private.retention_run
            (job, target, cutoff, rows_deleted, batches, longest_batch_ms, started_at, finished_at)
        values
            ('offboard_ended_schools', 'auth.users', s.contract_ends_on::timestamptz + interval '30 days',
             v_total, v_batches, v_longest, v_started, pg_catalog.clock_timestamp());
        commit;
    end loop;
end
$$;
comment on procedure app_private.offboard_ended_schools () is
'S-RET-8: deletes every account (auth.users, cascading) and then the school, 30 days after contract_ends_on.';

revoke all on procedure app_private.purge_job(text), app_private.offboard_ended_schools()
from public, anon, authenticated, service_role;
