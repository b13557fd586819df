/*
  A leaver mark belongs to a pupil (S-RET-10): purge_leavers deletes every marked account,
  and only a pupil's mark can be undone by a school admin (unmark_pupil_left acts on pupils
  only). A marked pupil moved to a staff role by service_role kept the mark, so their staff
  account would have been deleted with nobody able to undo it. A role change away from
  student must clear left_on first. A database where a marked account already holds another
  role stops here and names it (nothing is cleaned silently); the constraint is added NOT
  VALID and validated after, like users_developer_has_no_school.
*/
do $$
declare
    v_ids text;
begin
    select pg_catalog.string_agg(u.id::text, ', ' order by u.id) into v_ids
    from public.users as u
    where u.left_on is not null and u.role <> 'student';
    if v_ids is not null then
        raise exception using errcode = '23514',
            message = pg_catalog.format('accounts marked as having left that are not pupils: %s', v_ids),
            hint = 'A leaver mark belongs to a pupil: clear left_on, or give the account back its pupil role, then deploy again.';
    end if;
end
$$;

alter table public.users
add constraint users_left_on_only_pupils check (left_on is null or role = 'student') not valid;

alter table public.users validate constraint users_left_on_only_pupils;

comment on constraint users_left_on_only_pupils on public.users is
'Only a pupil can be marked as having left (S-RET-10): purge_leavers never reaches a staff account.';
