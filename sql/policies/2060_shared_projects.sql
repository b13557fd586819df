/*
  shared_projects (V-05): the author manages their own; schoolmates read those shared with the
  school (visibility = 'school'); staff read all of the pupils in their care (a teacher: the
  classes they teach, S-RLS-7), except the work of a pupil whose processing is restricted (S-RLS-6 v2: the restriction covers shared work).
*/
select app_private.reset_table_security('public.shared_projects');

create policy select_own_shared_or_staff on public.shared_projects for select to authenticated
using (
    user_id = any((select app_private.school_member_ids())::uuid[])
    and (
        user_id = (select auth.uid())
        or (
            (visibility = 'school' or user_id = any((select app_private.my_pupil_ids())::uuid[]))
            and not ((select public.is_teacher()) and user_id = any((select app_private.school_restricted_ids())::uuid[]))
        )
    )
);
comment on policy select_own_shared_or_staff on public.shared_projects is
'The author reads their own; members of the same school read those shared with the school; staff read all of the pupils in their care (a teacher: their classes), except a restricted pupil''s (S-RLS-6).';

create policy insert_own on public.shared_projects for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.shared_projects is 'A user creates their own only.';

create policy update_own on public.shared_projects for update to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy update_own on public.shared_projects is 'The author edits their own.';

create policy delete_own on public.shared_projects for delete to authenticated
using (user_id = (select auth.uid()));
comment on policy delete_own on public.shared_projects is 'The author deletes their own.';

grant select, delete on public.shared_projects to authenticated;
grant insert (user_id, title, description, code, visibility), update (title, description, code, visibility) on public.shared_projects to authenticated;
grant select, insert, update, delete on public.shared_projects to service_role;

drop trigger if exists set_updated_at on public.shared_projects;
create trigger set_updated_at before update on public.shared_projects
for each row execute function app_private.tg_set_updated_at();
