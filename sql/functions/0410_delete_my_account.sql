/* Art. 17 (ROPA V-15): the signed-in user deletes their account; everything cascades. */
create or replace function public.delete_my_account()
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
begin
    return app_private.delete_account(v_me.id, v_me.id, false);
end
$$;
comment on function public.delete_my_account() is
'RPC (authenticated): Art. 17 erasure of the caller''s account: deletes auth.users (cascading to every table) and returns {deleted, receipt_id, counts: {<table>: {deleted|disconnected: n}}}. Leaves a gdpr_account_deletion_initiated receipt holding only a sha256 of the id. 28000 when not signed in.';
revoke all on function public.delete_my_account() from public, anon, authenticated, service_role;
grant execute on function public.delete_my_account() to authenticated;
