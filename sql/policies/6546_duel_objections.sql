/*
  duel_objections (V-15, Art. 21): the pupil objects to the duel feature by adding their row
  and withdraws the objection by deleting it; nobody else reads or writes it (service_role
  aside). Adding it ends their presence, pending challenges and running duels
  (tg_duel_objection_applied); while it exists the duel tables refuse rows naming them (DG003).
*/
select app_private.reset_table_security('public.duel_objections');

create policy select_own on public.duel_objections for select to authenticated
using (user_id = (select auth.uid()));
comment on policy select_own on public.duel_objections is 'A pupil reads their own objection.';

create policy insert_own on public.duel_objections for insert to authenticated
with check (user_id = (select auth.uid()) and (select app_private.my_role()) = 'student');
comment on policy insert_own on public.duel_objections is 'A pupil objects to duels for themself only.';

create policy delete_own on public.duel_objections for delete to authenticated
using (user_id = (select auth.uid()));
comment on policy delete_own on public.duel_objections is 'A user withdraws their own objection.';

grant select, delete on public.duel_objections to authenticated;
grant insert (user_id) on public.duel_objections to authenticated;
grant select, insert, update, delete on public.duel_objections to service_role;
-- NOTE: no update for authenticated: an objection is added or withdrawn, not changed.

drop trigger if exists apply_objection on public.duel_objections;
create trigger apply_objection after insert on public.duel_objections
for each row execute function app_private.tg_duel_objection_applied();
