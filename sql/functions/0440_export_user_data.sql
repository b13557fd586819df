/* The school (controller) exports a pupil's data for the pupil or a parent (Art. 15/20). */
create or replace function public.export_user_data(user_id uuid)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.school_member_for_staff(user_id, true);
begin
    perform app_private.audit('gdpr_data_export', (select auth.uid()), v_target.id, v_target.school_id,
        pg_catalog.jsonb_build_object('legal_basis', 'Art. 15/20 GDPR', 'initiator', 'school_admin'));
    return app_private.export_user(v_target.id);
end
$$;
comment on function public.export_user_data(uuid) is
'RPC (authenticated, school admin): the export of export_my_data() for a member of the admin''s school. 42501 not an admin, DG001 not in the school. Audited with the admin as actor.';
revoke all on function public.export_user_data(uuid) from public, anon, authenticated, service_role;
grant execute on function public.export_user_data(uuid) to authenticated;
