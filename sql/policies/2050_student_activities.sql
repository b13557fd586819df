/* student_activities (V-04): the pupil reads and records their own; staff read those of the pupils in their care (S-RLS-6, S-RLS-7: a teacher their classes, an admin the school). */
select app_private.reset_table_security('public.student_activities');

create policy select_own_or_staff on public.student_activities for select to authenticated
using (user_id = any((select app_private.own_or_care_ids())::uuid[]));
comment on policy select_own_or_staff on public.student_activities is
'The pupil reads their own activity; staff read those of the pupils in their care (a teacher: their classes) activity unless processing is restricted.';

create policy insert_own on public.student_activities for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.student_activities is 'A user records their own activity only.';

grant select on public.student_activities to authenticated;
grant insert (user_id, activity_type, details) on public.student_activities to authenticated;
grant select, insert, update, delete on public.student_activities to service_role;
-- NOTE: no update/delete for authenticated: activity rows go by retention (S-RET-3) or cascade.

drop trigger if exists refuse_if_restricted on public.student_activities;
create trigger refuse_if_restricted before insert or update on public.student_activities
for each row execute function app_private.tg_refuse_if_restricted('user_id');
