/*
  DPIA A06, AI Act Art. 14: a teacher overrides the AI's STEP_COMPLETE for a pupil of a
  class they teach (S-RLS-7); a school admin for any pupil of their school. Records completed_by = 'teacher' and the overriding teacher; audited.
*/
create or replace function public.override_step_completion(
    student_id uuid, mission_id text, step integer, completed boolean, reason text
)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_target public.users := app_private.pupil_for_staff(student_id, false);
    v_mission text := app_private.check_text('mission_id', mission_id, 1, 100);
    v_reason text := app_private.check_text('reason', reason, 1, 500);
    v_before text;
    v_row public.mission_progress;
begin
    if step is null or step not between 0 and 1000 then
        raise exception using errcode = '22023', message = 'step must be between 0 and 1000';
    end if;
    if completed is null then
        raise exception using errcode = '22023', message = 'completed is required';
    end if;
    if v_target.processing_restricted then
        raise exception using errcode = 'DG002', message = 'processing of this pupil''s data is restricted (Art. 18)';
    end if;
    select mp.status into v_before from public.mission_progress as mp
    where mp.user_id = v_target.id and mp.mission_id = v_mission and mp.step = override_step_completion.step;
    insert into public.mission_progress as mp
        (user_id, mission_id, step, status, completed_at, completed_by, overridden_by, override_reason)
    values (
        v_target.id, v_mission, override_step_completion.step,
        case when completed then 'completed' else 'in_progress' end,
        case when completed then pg_catalog.now() end, 'teacher', (select auth.uid()), v_reason
    )
    on conflict on constraint mission_progress_user_id_mission_id_step_key do update set
        status = excluded.status, completed_at = excluded.completed_at, completed_by = 'teacher',
        overridden_by = excluded.overridden_by, override_reason = excluded.override_reason
    returning mp.* into v_row;
    perform app_private.audit('step_completion_override', (select auth.uid()), v_target.id, v_target.school_id,
        pg_catalog.jsonb_build_object('mission_id', v_mission, 'step', v_row.step, 'completed', completed,
            'previous_status', v_before, 'reason', v_reason, 'basis', 'DPIA A06; AI Act Art. 14 human oversight'));
    return pg_catalog.jsonb_build_object('id', v_row.id, 'status', v_row.status, 'completed_by', v_row.completed_by,
        'previous_status', v_before);
end
$$;
comment on function public.override_step_completion(uuid, text, integer, boolean, text) is
'RPC (authenticated, teacher or admin): human override of the AI''s step completion for a pupil of a class the caller teaches, or for an admin of the caller''s school (DPIA A06). Sets status, completed_by = teacher and overridden_by. 42501, DG001, DG002, 22023. Audited as step_completion_override.';
revoke all on function public.override_step_completion(uuid, text, integer, boolean, text)
from public, anon, authenticated, service_role;
grant execute on function public.override_step_completion(uuid, text, integer, boolean, text) to authenticated;
