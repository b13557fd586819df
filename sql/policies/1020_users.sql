/*
  users: a user reads and renames themself; staff read their school's members; a school
  admin changes role and class (tg_users_guard: never own role, never developer) and
  corrects a pupil's names, year group and education level (Art. 16, audited as
  rectification). The e-mail address is the identity provider's: not writable here.
  Class scope (S-RLS-7): a teacher reads the profiles of their school's staff (for
  messaging) and of the pupils of the classes they teach; a school admin reads the whole
  school. Pupils, and teachers for other pupils, see schoolmates only through
  school_directory() (name, role, class). id, school_id and the
  restriction fields are not granted to authenticated at all (S-RLS-2).
*/
select app_private.reset_table_security('public.users');

create policy select_self_or_staff on public.users for select to authenticated
using (
    id = (select auth.uid())
    or (
        (select public.is_teacher())
        and school_id = (select app_private.current_school_id())
        and (role <> 'student' or id = any((select app_private.my_pupil_ids())::uuid[]))
    )
);
comment on policy select_self_or_staff on public.users is
'A user reads their own profile; a teacher or admin reads the staff profiles of their own school and the profiles of the pupils in their care (a teacher: their classes; an admin: the school).';

create policy update_self_or_admin on public.users for update to authenticated
using (
    id = (select auth.uid())
    or ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()))
)
with check (
    id = (select auth.uid())
    or ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()))
);
comment on policy update_self_or_admin on public.users is
'A user updates their own names; a school admin updates role and class of their school''s members and corrects a pupil''s names, year group and level (columns and rules: grants and tg_users_guard).';

grant select on public.users to authenticated;
grant update (display_name, first_name, last_name, role, class_id, year_group, education_level) on public.users to authenticated;
grant select, insert, update, delete on public.users to service_role;
-- NOTE: no insert/delete for authenticated: accounts are created by the backend and
-- deleted through delete_my_account() / delete_user_account().

drop trigger if exists guard_columns on public.users;
create trigger guard_columns before update on public.users
for each row execute function app_private.tg_users_guard();
drop trigger if exists set_updated_at on public.users;
create trigger set_updated_at before update on public.users
for each row execute function app_private.tg_set_updated_at();
drop trigger if exists log_config_change on public.users;
create trigger log_config_change after update of role, school_id, class_id on public.users
for each row execute function app_private.tg_config_change();
drop trigger if exists unpublish_on_class_change on public.users;
create trigger unpublish_on_class_change after update of class_id on public.users
for each row when (old.class_id is distinct from new.class_id)
execute function app_private.tg_unpublish_on_class_change();
drop trigger if exists log_rectification on public.users;
create trigger log_rectification after update of display_name, first_name, last_name, year_group, education_level
on public.users
for each row execute function app_private.tg_rectification();
