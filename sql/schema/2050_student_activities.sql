/*
  Pupil activity for the teacher dashboard (V-04). Kept 1 year, purged weekly on
  Sunday 03:00 UTC (S-RET-3). (user_id, created_at) serves the dashboard, the policy
  and the FK; created_at alone serves the purge.
*/
create table public.student_activities (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    activity_type text not null check (char_length(activity_type) between 1 and 100),
    details jsonb not null default '{}'::jsonb check (pg_column_size(details) <= 8192),
    created_at timestamptz not null default now()
);
create index student_activities_user_id_idx on public.student_activities (user_id, created_at);
create index student_activities_created_at_idx on public.student_activities (created_at);

alter table public.student_activities enable row level security;
revoke all on table public.student_activities from public, anon, authenticated, service_role;

comment on table public.student_activities is
'Pupil activity (modules visited, time spent). Purpose: teacher monitoring and support. ROPA V-04. Legal basis: Art. 6(1)(e) public task. Retention: 1 year after created_at (S-RET-3).';
comment on column public.student_activities.user_id is 'The pupil. ROPA V-04. Retention: 1 year.';
comment on column public.student_activities.activity_type is 'Activity type. ROPA V-04. Retention: 1 year.';
comment on column public.student_activities.details is 'Activity details. ROPA V-04. Retention: 1 year.';
comment on column public.student_activities.created_at is 'When; the retention clock. ROPA V-04. Retention: 1 year.';
