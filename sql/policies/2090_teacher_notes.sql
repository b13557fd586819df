/*
  teacher_notes (V-06): staff read the notes about the pupils in their care (a teacher:
  the classes they teach, S-RLS-7; an admin: the school) and manage the notes they wrote. The pupil does not read them in the app; export_my_data()
  gives them to the pupil (Art. 15). While a pupil's processing is restricted (S-RLS-6
  v2), staff see no notes about them and no note about them is written or changed (DG002).
*/
select app_private.reset_table_security('public.teacher_notes');

create policy select_staff on public.teacher_notes for select to authenticated
using (
    (select public.is_teacher())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
    and student_id <> all((select app_private.school_restricted_ids())::uuid[])
);
comment on policy select_staff on public.teacher_notes is
'Teachers read notes about the pupils of the classes they teach, admins about the pupils of their school, except pupils whose processing is restricted (S-RLS-6).';

create policy insert_author on public.teacher_notes for insert to authenticated
with check (
    (select public.is_teacher())
    and author_id = (select auth.uid())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
);
comment on policy insert_author on public.teacher_notes is 'A teacher writes notes, as themself, about pupils of the classes they teach; an admin about pupils of their school.';

create policy update_author on public.teacher_notes for update to authenticated
using (
    (select public.is_teacher())
    and author_id = (select auth.uid())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
    and student_id <> all((select app_private.school_restricted_ids())::uuid[])
)
with check (
    (select public.is_teacher())
    and author_id = (select auth.uid())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
);
comment on policy update_author on public.teacher_notes is 'A teacher or admin edits the notes they wrote.';

-- As update: only notes the author can still see. A DELETE without WHERE reads no column,
-- so PostgreSQL would not apply select_staff to it (tests/rls/test_writes_within_sight.py).
create policy delete_author on public.teacher_notes for delete to authenticated
using (
    (select public.is_teacher())
    and author_id = (select auth.uid())
    and student_id = any((select app_private.my_pupil_ids())::uuid[])
    and student_id <> all((select app_private.school_restricted_ids())::uuid[])
);
comment on policy delete_author on public.teacher_notes is
'A teacher or admin deletes the notes they wrote about pupils still in their care, except while the pupil''s processing is restricted (S-RLS-6, S-RLS-7).';

grant select, delete on public.teacher_notes to authenticated;
grant insert (student_id, author_id, body), update (body) on public.teacher_notes to authenticated;
grant select, insert, update, delete on public.teacher_notes to service_role;

drop trigger if exists set_updated_at on public.teacher_notes;
create trigger set_updated_at before update on public.teacher_notes
for each row execute function app_private.tg_set_updated_at();

drop trigger if exists refuse_if_restricted on public.teacher_notes;
create trigger refuse_if_restricted before insert or update on public.teacher_notes
for each row execute function app_private.tg_refuse_if_restricted('student_id');
