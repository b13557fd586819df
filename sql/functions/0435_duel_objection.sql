/*
  Objection to the duel feature (Art. 21, public.duel_objections). Two trigger functions:
  tg_duel_objection_applied ends what the pupil's duel data is doing when they object
  (presence, pending challenges to or from them, running duels), and
  tg_refuse_if_objected refuses a new or changed row of a duel table that names a pupil
  who objected (SQLSTATE DG003), for every writer. SECURITY DEFINER: an objection is read
  and acted on whoever writes, without showing it to them beyond the refusal.
*/
create or replace function app_private.tg_duel_objection_applied()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    /*
      The pupil's objection lock, exclusive: a duel row naming them that another transaction
      is writing right now (it holds the lock shared, tg_refuse_if_objected) commits first,
      and the deletes below, each with a fresh snapshot, see it. Without it, a challenge in
      flight while the pupil objects would survive the objection.
    */
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtext('public.duel_objections'), pg_catalog.hashtext(new.user_id::text)
    );
    delete from public.duel_presence as p where p.user_id = new.user_id;
    delete from public.duel_challenges as c
    where c.status = 'pending' and (c.challenger_id = new.user_id or c.challenged_id = new.user_id);
    delete from public.active_duels as d
    where d.finished_at is null and (d.player1_id = new.user_id or d.player2_id = new.user_id);
    return null;
end
$$;
comment on function app_private.tg_duel_objection_applied() is
'Art. 21: when a pupil objects to duels, their presence, their pending challenges (either side) and their running duels are deleted.';
revoke all on function app_private.tg_duel_objection_applied() from public, anon, authenticated, service_role;

create or replace function app_private.tg_refuse_if_objected()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_row jsonb := pg_catalog.to_jsonb(new);
    v_objectors uuid[];
begin
    /*
      Each named pupil's objection lock, shared, in a fixed order (no deadlock between two
      rows naming the same two pupils): an objection being written now commits first, and
      the read below, with a fresh snapshot, sees it. See tg_duel_objection_applied.
    */
    perform pg_catalog.pg_advisory_xact_lock_shared(
        pg_catalog.hashtext('public.duel_objections'), pg_catalog.hashtext(x.id::text)
    )
    from (
        select distinct (v_row ->> a.col)::uuid as id from pg_catalog.unnest(tg_argv) as a (col)
    ) as x
    where x.id is not null
    order by x.id;
    select pg_catalog.array_agg(o.user_id) into v_objectors
    from public.duel_objections as o
    where o.user_id in (select (v_row ->> a.col)::uuid from pg_catalog.unnest(tg_argv) as a (col));
    if v_objectors is null then
        return new;
    end if;
    /*
      This trigger runs before the row-level security WITH CHECK. An API caller who may not
      name the objector in a duel row at all (anyone but the pupil themself and a pupil of
      their school, who could challenge them) gets RLS's own refusal, whether or not the
      pupil objected: DG003 would tell anyone who knows an id that its owner objected.
    */
    if pg_catalog.current_setting('role', true) = 'authenticated'
        and exists (
            select from pg_catalog.unnest(v_objectors) as x (id)
            where x.id is distinct from (select auth.uid())
              and not (
                  (select app_private.my_role()) = 'student'
                  and x.id = any((select app_private.school_pupil_ids())::uuid[])
              )
        ) then
        raise exception using
            errcode = '42501',
            message = pg_catalog.format('new row violates row-level security policy for table "%s"', tg_table_name);
    end if;
    raise exception using
        errcode = 'DG003',
        message = pg_catalog.format('a pupil named in this %s objected to duels (Art. 21)', tg_table_name),
        hint = 'While the objection stands the pupil has no presence, is not challenged and plays no duel; they withdraw it by deleting their row in duel_objections.';
end
$$;
comment on function app_private.tg_refuse_if_objected() is
'Art. 21: refuses a new or changed duel row naming a pupil who objected to duels (SQLSTATE DG003; an API caller who could not name that pupil anyway gets 42501); the arguments are the user columns.';
revoke all on function app_private.tg_refuse_if_objected() from public, anon, authenticated, service_role;
