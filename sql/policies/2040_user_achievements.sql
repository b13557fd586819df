/*
  user_achievements: tracking data (V-03). The pupil reads their own rows; a teacher reads those of the
  pupils of the classes they teach (S-RLS-7), an admin of their school's pupils, unless the pupil restricted processing (S-RLS-6).
  Writes: service_role and the RPCs only.
*/
select app_private.reset_table_security('public.user_achievements');

create policy select_own_or_staff on public.user_achievements for select to authenticated
using (user_id = any((select app_private.own_or_care_ids())::uuid[]));
comment on policy select_own_or_staff on public.user_achievements is
'The pupil reads their own rows; staff read those of the pupils in their care (a teacher: their classes) rows unless processing is restricted.';

grant select on public.user_achievements to authenticated;
grant select, insert, update, delete on public.user_achievements to service_role;
-- NOTE: authenticated has no write privilege: progress and rewards are computed server-side.

drop trigger if exists refuse_if_restricted on public.user_achievements;
create trigger refuse_if_restricted before insert or update on public.user_achievements
for each row execute function app_private.tg_refuse_if_restricted('user_id');
