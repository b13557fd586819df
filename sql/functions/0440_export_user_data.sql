/*
  The school (controller) exports a pupil's data for the pupil or a parent (Art. 15/20).
  Only pupils (SPEC §7, v2): a colleague's export — their messages, their notes — is not
  the admin's to take; staff export their own with export_my_data(). The rows are those
  about the pupil (export_user); rows where a pupil only acted are not included, since
  they are read under the subject's own RLS, which the admin cannot stand in for.
  The export is handed to the pupil or parent, so it holds everything about the pupil,
  messages the admin cannot read directly included (the controller acting for the
  pupil). While the pupil's processing is restricted (Art. 18) staff no longer see most
  of those rows, and the export would hand them over: refused with DG002; the pupil
  exports their own with export_my_data().
*/
create or replace function public.export_user_data(user_id uuid)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.pupil_for_staff(user_id, true);
begin
    if v_target.processing_restricted then
        raise exception using errcode = 'DG002',
            message = 'processing of this pupil''s data is restricted (Art. 18): the pupil can export their own data with export_my_data()';
    end if;
    perform app_private.audit('gdpr_data_export', (select auth.uid()), v_target.id, v_target.school_id,
        pg_catalog.jsonb_build_object('legal_basis', 'Art. 15/20 GDPR', 'initiator', 'school_admin'));
    return app_private.export_user(v_target.id);
end
$$;
comment on function public.export_user_data(uuid) is
'RPC (authenticated, school admin): the export of the rows about a pupil of the admin''s school, for the pupil or a parent. 42501 not an admin or not a pupil, DG001 not in the school, DG002 the pupil''s processing is restricted (they use export_my_data()). Audited with the admin as actor.';
revoke all on function public.export_user_data(uuid) from public, anon, authenticated, service_role;
grant execute on function public.export_user_data(uuid) to authenticated;
