/*
  DPIA A06, AI Act Art. 12: every write to mission_progress that changes a decision — a
  new step, a completion by the AI, an override by a teacher — appends one event to
  mission_progress_events (who or what, which teacher, when, old and new state). A
  trigger, so no writer (service_role for the AI, override_step_completion() for the
  teacher) can forget it. The referential action that nulls overridden_by when the
  teacher's account is deleted is not a decision and writes no event.
*/
create or replace function app_private.tg_mission_progress_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op = 'UPDATE'
       and (new.status, new.completed_at, new.completed_by, new.override_reason)
       is not distinct from (old.status, old.completed_at, old.completed_by, old.override_reason)
       and (new.overridden_by is null or new.overridden_by is not distinct from old.overridden_by) then
        return null;
    end if;
    insert into public.mission_progress_events
        (user_id, mission_id, step, actor, actor_id, old_status, new_status, old_completed_by, new_completed_by, reason)
    values (
        new.user_id, new.mission_id, new.step,
        case new.completed_by when 'ai' then 'ai' when 'teacher' then 'teacher' else 'service' end,
        case when new.completed_by = 'teacher' then new.overridden_by end,
        case when tg_op = 'UPDATE' then old.status end, new.status,
        case when tg_op = 'UPDATE' then old.completed_by end, new.completed_by,
        case when new.completed_by = 'teacher' then new.override_reason end
    );
    return null;
end
$$;
comment on function app_private.tg_mission_progress_event() is
'Appends a mission_progress_events row for every new step, AI completion and teacher override (DPIA A06).';
revoke all on function app_private.tg_mission_progress_event() from public, anon, authenticated, service_role;
