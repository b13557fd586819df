/* active_duels (V-08): the two players read; service_role writes. */
select app_private.reset_table_security('public.active_duels');

create policy select_participant on public.active_duels for select to authenticated
using (player1_id = (select auth.uid()) or player2_id = (select auth.uid()));
comment on policy select_participant on public.active_duels is 'Only the two players read a duel.';

grant select on public.active_duels to authenticated;
grant select, insert, update, delete on public.active_duels to service_role;
-- NOTE: authenticated does not write duels: scores are computed server-side.

-- Art. 21: no duel with a pupil who objected to duels (DG003)
drop trigger if exists refuse_if_objected on public.active_duels;
create trigger refuse_if_objected before insert or update on public.active_duels
for each row execute function app_private.tg_refuse_if_objected('player1_id', 'player2_id');
