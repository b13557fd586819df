/*
  The school (controller) erases a pupil's account on request of the pupil or a parent
  (Art. 17). Only pupils (SPEC §7, v2): erasing a colleague, with everything they sent,
  is not the admin's to do; staff erase their own account with delete_my_account().
*/
create or replace function public.delete_user_account(user_id uuid)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.pupil_for_staff(user_id, true);
begin
    return app_private.delete_account(v_target.id, (select auth.uid()), true);
end
$$;
comment on function public.delete_user_account(uuid) is
'RPC (authenticated, school admin): Art. 17 erasure of a pupil of the admin''s school. Same result as delete_my_account(); the receipt names the admin as actor. 42501, DG001, 22023.';
revoke all on function public.delete_user_account(uuid) from public, anon, authenticated, service_role;
grant execute on function public.delete_user_account(uuid) to authenticated;
