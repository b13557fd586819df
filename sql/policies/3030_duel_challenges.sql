/* duel_challenges (V-08): participants read; a pupil challenges a pupil of their school; the challenged answers. */
select app_private.reset_table_security('public.duel_challenges');

create policy select_participant on public.duel_challenges for select to authenticated
using (challenger_id = (select auth.uid()) or challenged_id = (select auth.uid()));
comment on policy select_participant on public.duel_challenges is 'Only the two participants read a challenge.';

create policy insert_challenger on public.duel_challenges for insert to authenticated
with check (
    challenger_id = (select auth.uid())
    and (select app_private.my_role()) = 'student'
    and challenged_id = any((select app_private.school_pupil_ids())::uuid[])
);
comment on policy insert_challenger on public.duel_challenges is 'A pupil challenges, as themself, a pupil of their own school.';

create policy update_challenged on public.duel_challenges for update to authenticated
using (challenged_id = (select auth.uid()))
with check (challenged_id = (select auth.uid()));
comment on policy update_challenged on public.duel_challenges is 'The challenged pupil accepts or declines (status, responded_at).';

grant select on public.duel_challenges to authenticated;
grant insert (challenger_id, challenged_id), update (status, responded_at) on public.duel_challenges to authenticated;
grant select, insert, update, delete on public.duel_challenges to service_role;
-- NOTE: no delete for authenticated: challenges go by retention (S-RET-2) or cascade.

drop trigger if exists clamp_client_time on public.duel_challenges;
create trigger clamp_client_time before insert or update on public.duel_challenges
for each row execute function app_private.tg_clamp_client_time('responded_at');

-- Art. 21: nobody challenges, or is challenged by, a pupil who objected to duels (DG003)
drop trigger if exists refuse_if_objected on public.duel_challenges;
create trigger refuse_if_objected before insert or update on public.duel_challenges
for each row execute function app_private.tg_refuse_if_objected('challenger_id', 'challenged_id');
