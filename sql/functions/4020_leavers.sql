/*
  S-RET-10 (ROPA V-01): a school admin marks a pupil of their school as having left
  (left_on, the day the pupil left: today by default, at most 14 days back so the 30-day
  promise can be kept, at most a year ahead for a known end of the school year). From 27
  days after left_on the daily job purge_leavers deletes the account and all its data;
  until then the admin can undo the mark. Both are audited (pupil_marked_left,
  pupil_left_undone). Refusals: 28000, 42501 (not a school admin, or a colleague: the shared
  app_private.pupil_for_staff() check), DG001 (no such user in the admin's school), 22023
  (left_on out of range).
*/
create or replace function public.mark_pupil_left(user_id uuid, left_on date default null)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.pupil_for_staff(user_id, true);
    v_day date := coalesce(mark_pupil_left.left_on, (pg_catalog.now() at time zone 'UTC')::date);
    v_today date := (pg_catalog.now() at time zone 'UTC')::date;
    v_keep interval;
    v_deadline interval;
begin
    if v_day < v_today - 14 or v_day > v_today + 366 then
        raise exception using errcode = '22023',
            message = 'left_on must be between 14 days ago and one year ahead';
    end if;
    select rr.keep, rr.deadline into v_keep, v_deadline
    from app_private.retention_rule as rr where rr.job = 'purge_leavers' and rr.target = 'public.users';
    update public.users as u set left_on = v_day where u.id = v_target.id;
    perform app_private.audit('pupil_marked_left', (select auth.uid()), v_target.id, v_target.school_id,
        pg_catalog.jsonb_build_object('left_on', v_day, 'previous_left_on', v_target.left_on,
            'deleted_from', (v_day + v_keep)::date, 'deleted_before', (v_day + v_deadline)::date,
            'basis', 'Art. 5(1)(e) GDPR; ROPA V-01 (S-RET-10)'));
    return pg_catalog.jsonb_build_object('user_id', v_target.id, 'left_on', v_day,
        'deleted_from', (v_day + v_keep)::date, 'deleted_before', (v_day + v_deadline)::date);
end
$$;
comment on function public.mark_pupil_left(uuid, date) is
'RPC (authenticated, school admin): marks a pupil of the admin''s school as having left on left_on (default today; 14 days back to a year ahead). The account and all its data are deleted by purge_leavers within 30 days of left_on. 28000, 42501, DG001, 22023. Audited as pupil_marked_left.';
revoke all on function public.mark_pupil_left(uuid, date) from public, anon, authenticated, service_role;
grant execute on function public.mark_pupil_left(uuid, date) to authenticated;

create or replace function public.unmark_pupil_left(user_id uuid)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.pupil_for_staff(user_id, true);
begin
    update public.users as u set left_on = null where u.id = v_target.id;
    perform app_private.audit('pupil_left_undone', (select auth.uid()), v_target.id, v_target.school_id,
        pg_catalog.jsonb_build_object('previous_left_on', v_target.left_on));
    return pg_catalog.jsonb_build_object('user_id', v_target.id, 'left_on', null,
        'changed', v_target.left_on is not null);
end
$$;
comment on function public.unmark_pupil_left(uuid) is
'RPC (authenticated, school admin): undoes mark_pupil_left() before the account is deleted. 28000, 42501, DG001, 22023. Audited as pupil_left_undone.';
revoke all on function public.unmark_pupil_left(uuid) from public, anon, authenticated, service_role;
grant execute on function public.unmark_pupil_left(uuid) to authenticated;
