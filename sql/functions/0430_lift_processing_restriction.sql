/* Art. 18: a school admin lifts a pupil's restriction (the school is the controller); pupils only. */
create or replace function public.lift_processing_restriction(user_id uuid, reason text)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.pupil_for_staff(user_id, true);
    v_reason text := app_private.check_text('reason', reason, 1, 500);
begin
    -- the reason goes with the restriction (also one left by a flag cleared without this function)
    delete from public.processing_restrictions as pr where pr.user_id = v_target.id;
    if not v_target.processing_restricted then
        return pg_catalog.jsonb_build_object('restricted', false, 'changed', false);
    end if;
    update public.users
    set processing_restricted = false, restricted_at = null
    where id = v_target.id;
    perform app_private.audit('gdpr_processing_restriction_lifted', (select auth.uid()), v_target.id,
        v_target.school_id, pg_catalog.jsonb_build_object('legal_basis', 'Art. 18(3) GDPR', 'reason', v_reason,
            'restricted_since', v_target.restricted_at));
    return pg_catalog.jsonb_build_object('restricted', false, 'changed', true);
end
$$;
comment on function public.lift_processing_restriction(uuid, text) is
'RPC (authenticated, school admin): lifts the Art. 18 restriction of a pupil of the admin''s school and deletes the reason the pupil gave. 42501 not an admin or not a pupil, DG001 not in the school, 22023 bad arguments. Returns {restricted, changed}. Audited.';
revoke all on function public.lift_processing_restriction(uuid, text) from public, anon, authenticated, service_role;
grant execute on function public.lift_processing_restriction(uuid, text) to authenticated;
