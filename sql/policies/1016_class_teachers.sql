/*
  class_teachers (S-RLS-7): a school admin reads and maintains the links of their own school;
  a teacher reads their own links (which classes they teach), not their colleagues'. Pupils,
  developers and other schools see nothing. Every change is audited as config_change.
*/
select app_private.reset_table_security('public.class_teachers');

create policy select_own_or_admin on public.class_teachers for select to authenticated
using (
    teacher_id = (select auth.uid())
    or ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()))
);
comment on policy select_own_or_admin on public.class_teachers is
'A teacher reads the classes they teach; a school admin reads every link of their own school.';

create policy insert_admin on public.class_teachers for insert to authenticated
with check ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()));
comment on policy insert_admin on public.class_teachers is
'A school admin links a teacher of their own school to a class of their own school.';

create policy delete_admin on public.class_teachers for delete to authenticated
using ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()));
comment on policy delete_admin on public.class_teachers is 'A school admin removes a link of their own school.';

grant select, delete on public.class_teachers to authenticated;
grant insert (class_id, teacher_id) on public.class_teachers to authenticated;
grant select, insert, update, delete on public.class_teachers to service_role;
-- NOTE: update is not granted to authenticated: a link is made or removed, never changed.

drop trigger if exists fill_school on public.class_teachers;
create trigger fill_school before insert or update of class_id, school_id on public.class_teachers
for each row execute function app_private.tg_class_teacher_school();
drop trigger if exists teacher_is_staff on public.class_teachers;
create trigger teacher_is_staff after insert or update on public.class_teachers
for each row execute function app_private.tg_class_teacher_is_staff();
drop trigger if exists log_config_change on public.class_teachers;
create trigger log_config_change after insert or update or delete on public.class_teachers
for each row execute function app_private.tg_class_teacher_audit();
