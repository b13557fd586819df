/*
  Mission progress (V-03). Steps are marked complete by the AI (STEP_COMPLETE) or by a
  teacher overriding it (DPIA A06, AI Act Art. 14): completed_by says which, and
  overridden_by names the teacher, set null if that teacher's account is deleted
  (a bystander, S-DATA-1). Written only by service_role and override_step_completion().
*/
create table public.mission_progress (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    mission_id text not null check (char_length(mission_id) between 1 and 100),
    step integer not null check (step between 0 and 1000),
    status text not null default 'in_progress' check (status in ('not_started', 'in_progress', 'completed')),
    completed_at timestamptz,
    completed_by text check (completed_by in ('ai', 'teacher')),
    overridden_by uuid references public.users (id) on delete set null,
    override_reason text check (char_length(override_reason) <= 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (user_id, mission_id, step),
    constraint mission_progress_completion check ((status = 'completed') = (completed_at is not null))
);
create index mission_progress_overridden_by_idx on public.mission_progress (overridden_by);

alter table public.mission_progress enable row level security;
revoke all on table public.mission_progress from public, anon, authenticated, service_role;

comment on table public.mission_progress is
'Progress per mission step. Purpose: learning progress for the pupil and teacher insight. ROPA V-03. Legal basis: Art. 6(1)(e) public task, Art. 6(1)(b). Retention: account lifetime (cascade).';
comment on column public.mission_progress.user_id is 'The pupil. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.mission_id is 'Mission identifier. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.step is 'Step number within the mission. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.status is 'not_started, in_progress or completed. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.completed_at is 'When the step was completed. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.completed_by is 'ai (STEP_COMPLETE) or teacher (human override, DPIA A06). ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.overridden_by is 'Teacher who overrode the AI; null after that teacher is deleted. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress.override_reason is 'Teacher''s reason for the override. ROPA V-03. Retention: account lifetime.';
