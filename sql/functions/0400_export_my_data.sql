/* Art. 15/20 (ROPA V-15): the signed-in user's complete export, schema 2.0. Audited. */
create or replace function public.export_my_data()
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
begin
    perform app_private.audit('gdpr_data_export', v_me.id, v_me.id, v_me.school_id,
        pg_catalog.jsonb_build_object('legal_basis', 'Art. 15/20 GDPR', 'initiator', 'self'));
    return app_private.export_user(v_me.id);
end
$$;
comment on function public.export_my_data() is
'RPC (authenticated): Art. 15/20 export of all data about the caller: {schema_version "2.0", exported_at, subject, data: {<table>: [rows]}} from every table that references users. Audited as gdpr_data_export. 28000 when not signed in.';
revoke all on function public.export_my_data() from public, anon, authenticated, service_role;
grant execute on function public.export_my_data() to authenticated;
