/*
  A developer belongs to no school (S-RLS-5): with a school_id, the helpers counted them
  a member (school_directory(), shared work, classes). A developer account that has a
  school_id is not cleaned here: it is a mistake someone must look at (was it meant to be
  a teacher?), so the migration stops and names them. The constraint is added NOT VALID
  (no scan under the ACCESS EXCLUSIVE lock) and validated after (SHARE UPDATE EXCLUSIVE).
*/
do $$
declare
    v_ids text;
begin
    select pg_catalog.string_agg(u.id::text, ', ' order by u.id) into v_ids
    from public.users as u
    where u.role = 'developer' and u.school_id is not null;
    if v_ids is not null then
        raise exception using errcode = '23514',
            message = pg_catalog.format('developer accounts with a school_id: %s', v_ids),
            hint = 'A developer belongs to no school: set their school_id to null, or give them a school role, then deploy again.';
    end if;
end
$$;

alter table public.users
add constraint users_developer_has_no_school check (role <> 'developer' or school_id is null) not valid;

alter table public.users validate constraint users_developer_has_no_school;

comment on constraint users_developer_has_no_school on public.users is
'A developer belongs to no school: never counted a member by the helpers (S-RLS-5).';
