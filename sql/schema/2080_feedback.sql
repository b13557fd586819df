/* Pupil feedback on modules (V-06): kept 1 year, purged weekly Sunday 03:30 UTC (S-RET-4). */
create table public.feedback (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    module text not null check (char_length(module) between 1 and 100),
    body text not null check (char_length(body) between 1 and 5000),
    rating smallint check (rating between 1 and 5),
    created_at timestamptz not null default now()
);
create index feedback_user_id_idx on public.feedback (user_id);
create index feedback_created_at_idx on public.feedback (created_at);

alter table public.feedback enable row level security;
revoke all on table public.feedback from public, anon, authenticated, service_role;

comment on table public.feedback is
'Pupil feedback on a module. Purpose: improving the lessons. ROPA V-06. Legal basis: Art. 6(1)(e) public task. Retention: 1 year after created_at (S-RET-4).';
comment on column public.feedback.user_id is 'The pupil. ROPA V-06. Retention: 1 year.';
comment on column public.feedback.module is 'Module the feedback is about. ROPA V-06. Retention: 1 year.';
comment on column public.feedback.body is 'Feedback text. ROPA V-06. Retention: 1 year.';
comment on column public.feedback.rating is 'Rating 1-5. ROPA V-06. Retention: 1 year.';
comment on column public.feedback.created_at is 'When; the retention clock. ROPA V-06. Retention: 1 year.';
