/* feedback (V-06): the pupil reads, writes and deletes their own; staff read those of the pupils in their care (S-RLS-6, S-RLS-7: a teacher their classes, an admin the school). */
select app_private.reset_table_security('public.feedback');

create policy select_own_or_staff on public.feedback for select to authenticated
using (user_id = any((select app_private.own_or_care_ids())::uuid[]));
comment on policy select_own_or_staff on public.feedback is
'The pupil reads their own feedback; staff read those of the pupils in their care (a teacher: their classes) feedback unless processing is restricted.';

create policy insert_own on public.feedback for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.feedback is 'A user writes feedback as themself only.';

create policy delete_own on public.feedback for delete to authenticated
using (user_id = (select auth.uid()));
comment on policy delete_own on public.feedback is 'A user deletes their own feedback.';

grant select, delete on public.feedback to authenticated;
grant insert (user_id, module, body, rating) on public.feedback to authenticated;
grant select, insert, update, delete on public.feedback to service_role;

drop trigger if exists refuse_if_restricted on public.feedback;
create trigger refuse_if_restricted before insert or update on public.feedback
for each row execute function app_private.tg_refuse_if_restricted('user_id');
