/*
  Art. 18 (ROPA V-15, S-RLS-6): the signed-in user restricts processing of their data. The
  flag and its time are on public.users (staff must know processing is restricted); the
  reason goes to public.processing_restrictions, read by the pupil and their school's admins only.
*/
create or replace function public.restrict_processing(reason text)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
    v_reason text := app_private.check_text('reason', reason, 1, 500);
begin
    if v_me.processing_restricted then
        return pg_catalog.jsonb_build_object('restricted', true, 'changed', false, 'restricted_at', v_me.restricted_at);
    end if;
    update public.users
    set processing_restricted = true, restricted_at = pg_catalog.now()
    where id = v_me.id;
    -- the reason has its own table: the pupil and their school's admins read it, teachers do not
    insert into public.processing_restrictions (user_id, reason) values (v_me.id, v_reason)
    on conflict (user_id) do update set reason = excluded.reason, created_at = excluded.created_at;
    perform app_private.audit('gdpr_processing_restriction_requested', v_me.id, v_me.id, v_me.school_id,
        pg_catalog.jsonb_build_object('legal_basis', 'Art. 18 GDPR', 'initiator', 'self'));
    return pg_catalog.jsonb_build_object('restricted', true, 'changed', true, 'restricted_at', pg_catalog.now());
end
$$;
comment on function public.restrict_processing(text) is
'RPC (authenticated): Art. 18 restriction of the caller''s processing: staff stop seeing their tracking data and no new tracking rows are accepted (DG002). reason: 1-500 characters (22023), recorded in processing_restrictions (read by the pupil and their school''s admins only). Returns {restricted, changed, restricted_at}. Audited as gdpr_processing_restriction_requested.';
revoke all on function public.restrict_processing(text) from public, anon, authenticated, service_role;
grant execute on function public.restrict_processing(text) to authenticated;
