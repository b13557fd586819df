/* The members of the caller's own school, as pupils may see them (SPEC §6: via school_directory() only). */
create or replace function public.school_directory()
returns table (id uuid, display_name text, role text, class_id uuid, class_name text)
language plpgsql stable security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
begin
    return query
    select u.id, u.display_name, u.role, u.class_id, c.name
    from public.users as u
    left join public.classes as c on c.id = u.class_id
    where u.school_id = v_me.school_id and v_me.school_id is not null
    order by u.display_name, u.id;
end
$$;
comment on function public.school_directory() is
'RPC (authenticated): id, display name, role and class of every member of the caller''s school (nothing else). 28000 when not signed in.';
revoke all on function public.school_directory() from public, anon, authenticated, service_role;
grant execute on function public.school_directory() to authenticated;
