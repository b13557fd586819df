/*
  assessments (V-06): the pupil reads their own; staff read (S-RLS-6), create and
  score their school's pupils' assessments. The AI score is written by service_role.
*/
select app_private.reset_table_security('public.assessments');

create policy select_own_or_staff on public.assessments for select to authenticated
using (student_id = any((select app_private.tracking_user_ids())::uuid[]));
comment on policy select_own_or_staff on public.assessments is
'The pupil reads their own assessments; staff read their school''s pupils'' unless processing is restricted.';

create policy insert_staff on public.assessments for insert to authenticated
with check (
    (select public.is_teacher())
    and assessor_id = (select auth.uid())
    and student_id = any((select app_private.school_pupil_ids())::uuid[])
);
comment on policy insert_staff on public.assessments is 'A teacher or admin assesses, as themself, a pupil of their own school.';

create policy update_staff on public.assessments for update to authenticated
using (
    (select public.is_teacher())
    and student_id = any((select app_private.school_pupil_ids())::uuid[])
    and student_id = any((select app_private.tracking_user_ids())::uuid[])
)
with check ((select public.is_teacher()) and student_id = any((select app_private.school_pupil_ids())::uuid[]));
comment on policy update_staff on public.assessments is 'A teacher or admin scores and comments their school''s pupils'' assessments.';

grant select on public.assessments to authenticated;
grant insert (student_id, assessor_id, mission_id, teacher_score, comment),
update (teacher_score, comment) on public.assessments to authenticated;
grant select, insert, update, delete on public.assessments to service_role;
-- NOTE: no delete for authenticated: assessments go with the pupil's account.

drop trigger if exists refuse_if_restricted on public.assessments;
create trigger refuse_if_restricted before insert or update on public.assessments
for each row execute function app_private.tg_refuse_if_restricted('student_id');
drop trigger if exists set_updated_at on public.assessments;
create trigger set_updated_at before update on public.assessments
for each row execute function app_private.tg_set_updated_at();
