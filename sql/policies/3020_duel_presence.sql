/* duel_presence (V-08): a pupil manages their own presence; pupils of the same school see it. */
select app_private.reset_table_security('public.duel_presence');

create policy select_own_or_schoolmate on public.duel_presence for select to authenticated
using (
    user_id = (select auth.uid())
    or ((select app_private.my_role()) = 'student' and user_id = any((select app_private.school_pupil_ids())::uuid[]))
);
comment on policy select_own_or_schoolmate on public.duel_presence is 'A pupil sees their own presence and that of pupils of their school.';

create policy insert_own on public.duel_presence for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.duel_presence is 'A user announces their own presence.';

create policy update_own on public.duel_presence for update to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy update_own on public.duel_presence is 'A user refreshes their own presence.';

create policy delete_own on public.duel_presence for delete to authenticated
using (user_id = (select auth.uid()));
comment on policy delete_own on public.duel_presence is 'A user removes their own presence.';

grant select, delete on public.duel_presence to authenticated;
grant insert (user_id, last_seen_at), update (last_seen_at) on public.duel_presence to authenticated;
grant select, insert, update, delete on public.duel_presence to service_role;

drop trigger if exists clamp_last_seen_at on public.duel_presence;
create trigger clamp_last_seen_at before insert or update on public.duel_presence
for each row execute function app_private.tg_clamp_last_seen_at();

-- Art. 21: no presence for a pupil who objected to duels (DG003, public.duel_objections)
drop trigger if exists refuse_if_objected on public.duel_presence;
create trigger refuse_if_objected before insert or update on public.duel_presence
for each row execute function app_private.tg_refuse_if_objected('user_id');
