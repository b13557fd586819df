/* Pupils' shared projects (V-05): kept for the account's lifetime. */
create table public.shared_projects (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    title text not null check (char_length(title) between 1 and 200),
    description text check (char_length(description) <= 5000),
    code text check (char_length(code) <= 200000),
    visibility text not null default 'private' check (visibility in ('private', 'school')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index shared_projects_user_id_idx on public.shared_projects (user_id);

alter table public.shared_projects enable row level security;
revoke all on table public.shared_projects from public, anon, authenticated, service_role;

comment on table public.shared_projects is
'Projects a pupil made, optionally shared with the school. Purpose: portfolio and sharing with classmates. ROPA V-05. Legal basis: Art. 6(1)(e) public task; Art. 6(1)(a) consent when shared. Retention: account lifetime (cascade).';
comment on column public.shared_projects.user_id is 'The author. ROPA V-05. Retention: account lifetime.';
comment on column public.shared_projects.title is 'Title. ROPA V-05. Retention: account lifetime.';
comment on column public.shared_projects.description is 'Description. ROPA V-05. Retention: account lifetime.';
comment on column public.shared_projects.code is 'Project code. ROPA V-05. Retention: account lifetime.';
comment on column public.shared_projects.visibility is 'private or school (shared with own school: consent). ROPA V-05. Retention: account lifetime.';
