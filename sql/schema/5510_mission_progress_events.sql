/*
  AI decisions are traceable (DPIA A06, AI Act Art. 12 record-keeping): every AI step
  completion and every teacher override of mission_progress is an append-only event —
  who or what (ai, teacher, service), which teacher, when, old and new state. Written
  only by the trigger on mission_progress; no API role has any write privilege, not
  even service_role. Kept for the account's lifetime: the pupil's events go with the
  account (cascade); the overriding teacher is a bystander (set null).
*/
create table public.mission_progress_events (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    mission_id text not null,
    step integer not null,
    actor text not null check (actor in ('ai', 'teacher', 'service')),
    actor_id uuid references public.users (id) on delete set null,
    old_status text,
    new_status text not null,
    old_completed_by text,
    new_completed_by text,
    reason text,
    created_at timestamptz not null default now()
);
create index mission_progress_events_user_id_idx on public.mission_progress_events (user_id, created_at);
create index mission_progress_events_actor_id_idx on public.mission_progress_events (actor_id);

alter table public.mission_progress_events enable row level security;
revoke all on table public.mission_progress_events from public, anon, authenticated, service_role;

comment on table public.mission_progress_events is
'Append-only history of step completions by the AI and overrides by teachers. Purpose: traceability of AI decisions and human oversight (DPIA A06, AI Act Art. 12/14). ROPA V-03. Legal basis: Art. 6(1)(e) public task, Art. 6(1)(b). Retention: account lifetime (cascade).';
comment on column public.mission_progress_events.user_id is 'The pupil. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.mission_id is 'Mission identifier. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.step is 'Step number. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.actor is 'Who or what decided: ai, teacher or service (the backend). ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.actor_id is 'The overriding teacher; null for the AI, or after that teacher is deleted. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.old_status is 'Status before (null for a new step). ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.new_status is 'Status after. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.old_completed_by is 'completed_by before. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.new_completed_by is 'completed_by after. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.reason is 'The teacher''s reason for an override. ROPA V-03. Retention: account lifetime.';
comment on column public.mission_progress_events.created_at is 'When. ROPA V-03. Retention: account lifetime.';
