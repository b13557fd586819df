/*
  mission_progress_events: the append-only history of AI completions and teacher
  overrides (DPIA A06). Read like mission_progress: the pupil their own, staff the pupils in
  their care (a teacher: their classes; an admin: the school) unless processing is restricted (S-RLS-6). Written only by the trigger
  on mission_progress.
*/
select app_private.reset_table_security('public.mission_progress_events');

create policy select_own_or_staff on public.mission_progress_events for select to authenticated
using (user_id = any((select app_private.own_or_care_ids())::uuid[]));
comment on policy select_own_or_staff on public.mission_progress_events is
'The pupil reads their own decision history; staff read those of the pupils in their care (a teacher: their classes) history unless processing is restricted.';

grant select on public.mission_progress_events to authenticated, service_role;
-- NOTE: no insert, update, delete or truncate for any API role, service_role included:
-- events are written by the trigger below and leave only with the pupil's account.

drop trigger if exists record_event on public.mission_progress;
create trigger record_event after insert or update on public.mission_progress
for each row execute function app_private.tg_mission_progress_event();
drop trigger if exists refuse_if_restricted on public.mission_progress_events;
create trigger refuse_if_restricted before insert or update on public.mission_progress_events
for each row execute function app_private.tg_refuse_if_restricted('user_id');
