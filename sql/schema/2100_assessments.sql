/* Hybrid assessments, AI score plus teacher score (V-06). The assessor is a bystander. */
create table public.assessments (
    id bigint generated always as identity primary key,
    student_id uuid not null references public.users (id) on delete cascade,
    assessor_id uuid references public.users (id) on delete set null,
    mission_id text not null check (char_length(mission_id) between 1 and 100),
    ai_score numeric(5, 2) check (ai_score between 0 and 100),
    teacher_score numeric(5, 2) check (teacher_score between 0 and 100),
    comment text check (char_length(comment) <= 5000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index assessments_student_id_idx on public.assessments (student_id);
create index assessments_assessor_id_idx on public.assessments (assessor_id);

alter table public.assessments enable row level security;
revoke all on table public.assessments from public, anon, authenticated, service_role;

comment on table public.assessments is
'Assessment of a pupil''s work: AI score and the teacher''s score (the teacher decides). ROPA V-06. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime (cascade).';
comment on column public.assessments.student_id is 'The pupil assessed. ROPA V-06. Retention: account lifetime.';
comment on column public.assessments.assessor_id is 'The teacher; null after that account is deleted. ROPA V-06. Retention: account lifetime.';
comment on column public.assessments.mission_id is 'Mission assessed. ROPA V-06. Retention: account lifetime.';
comment on column public.assessments.ai_score is 'Score proposed by the AI. ROPA V-06. Retention: account lifetime.';
comment on column public.assessments.teacher_score is 'Score given by the teacher. ROPA V-06. Retention: account lifetime.';
comment on column public.assessments.comment is 'Teacher''s comment. ROPA V-06. Retention: account lifetime.';
