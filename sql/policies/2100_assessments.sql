/*
  assessments (V-06): the pupil reads their own; staff read (S-RLS-6), create and
  score the assessments of the pupils in their care (a teacher: the classes they teach,
  S-RLS-7; an admin: the school). The AI score is written by service_role.
*/
select app_private.reset_table_security('public.assessments');

create policy select_own_or_staff on public.assessments for select to authenticated
using (student_id = any((select app_private.own_or_care_ids())::uuid[]));
comment on policy select_own_or_staff on public.assessments is
'The pupil reads their own assessments; staff read those of the pupils in their care unless processing is restricted.';

create policy insert_staff on public.assessments for insert to authenticated
with check (
    (select public.is_teacher())
    and assessor_id = (select auth.uid())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
);
comment on policy insert_staff on public.assessments is 'A teacher assesses, as themself, a pupil of a class they teach; an admin a pupil of their school.';

create policy update_staff on public.assessments for update to authenticated
using (
    (select public.is_teacher())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
    and student_id <> all((select app_private.school_restricted_ids())::uuid[])
)
with check ((select public.is_teacher()) and student_id = any((select app_private.my_pupil_ids())::uuid[]));
comment on policy update_staff on public.assessments is 'A teacher scores and comments the assessments of the pupils of their classes; an admin of their school''s pupils.';

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
