/* Voluntary AI-policy surveys (V-09): owner only. */
create table public.ai_survey_responses (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    survey_id text not null check (char_length(survey_id) between 1 and 100),
    answers jsonb not null check (jsonb_typeof(answers) = 'object' and pg_column_size(answers) <= 16384),
    feedback_text text check (char_length(feedback_text) <= 5000),
    created_at timestamptz not null default now()
);
create index ai_survey_responses_user_id_idx on public.ai_survey_responses (user_id);

alter table public.ai_survey_responses enable row level security;
revoke all on table public.ai_survey_responses from public, anon, authenticated, service_role;

comment on table public.ai_survey_responses is
'Answers to voluntary surveys about AI in education. ROPA V-09. Legal basis: Art. 6(1)(e) public task; Art. 6(1)(a) consent (voluntary). Retention: account lifetime (cascade).';
comment on column public.ai_survey_responses.user_id is 'The respondent. ROPA V-09. Retention: account lifetime.';
comment on column public.ai_survey_responses.survey_id is 'Survey identifier. ROPA V-09. Retention: account lifetime.';
comment on column public.ai_survey_responses.answers is 'Answers. ROPA V-09. Retention: account lifetime.';
comment on column public.ai_survey_responses.feedback_text is 'Free text. ROPA V-09. Retention: account lifetime.';
