/*
  processing_restrictions (V-15): the reason for an Art. 18 restriction is read by the pupil
  and by the school admins of their school only (S-RLS-6 v2), never by a teacher, another
  pupil or another school. Written only by restrict_processing() and
  lift_processing_restriction() (SECURITY DEFINER) and by service_role.
*/
select app_private.reset_table_security('public.processing_restrictions');

create policy select_self_or_school_admin on public.processing_restrictions for select to authenticated
using (
    user_id = (select auth.uid())
    or ((select app_private.is_admin()) and user_id = any((select app_private.school_pupil_ids())::uuid[]))
);
comment on policy select_self_or_school_admin on public.processing_restrictions is
'The pupil reads the reason they gave; a school admin reads the reasons of their school''s pupils (to decide on lifting).';

grant select on public.processing_restrictions to authenticated;
grant select, insert, update, delete on public.processing_restrictions to service_role;
-- NOTE: no insert, update or delete for authenticated: restrict_processing() records the
-- reason and lift_processing_restriction() removes it.
