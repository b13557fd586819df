/* Server-side XP (ROPA V-03, anti-cheat): the backend awards bounded amounts. */
create or replace function public.award_xp(user_id uuid, amount integer, source text)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_source text := app_private.check_text('source', source, 1, 100);
    v_restricted boolean;
    v_id bigint;
begin
    if user_id is null then
        raise exception using errcode = '22023', message = 'user_id is required';
    end if;
    if amount is null or amount not between 1 and 1000 then
        raise exception using errcode = '22023', message = 'amount must be between 1 and 1000';
    end if;
    select u.processing_restricted into v_restricted from public.users as u where u.id = award_xp.user_id;
    if not found then
        raise exception using errcode = 'DG001', message = 'no such user';
    end if;
    if v_restricted then
        raise exception using errcode = 'DG002', message = 'processing of this pupil''s data is restricted (Art. 18)';
    end if;
    insert into public.xp_transactions (user_id, amount, source)
    values (award_xp.user_id, amount, v_source)
    returning id into v_id;
    return pg_catalog.jsonb_build_object('id', v_id, 'total',
        (select coalesce(sum(x.amount), 0) from public.xp_transactions as x where x.user_id = award_xp.user_id));
end
$$;
comment on function public.award_xp(uuid, integer, text) is
'RPC (service_role only): awards 1-1000 XP to a user (source 1-100 characters). 22023 bad arguments, DG001 unknown user, DG002 restricted. Returns {id, total}.';
revoke all on function public.award_xp(uuid, integer, text) from public, anon, authenticated, service_role;
grant execute on function public.award_xp(uuid, integer, text) to service_role;
