/* Pupils' shared games (V-05): kept 1 year, purged weekly Sunday 04:00 UTC (S-RET-5). */
create table public.shared_games (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    title text not null check (char_length(title) between 1 and 200),
    config jsonb not null default '{}'::jsonb check (pg_column_size(config) <= 65536),
    visibility text not null default 'private' check (visibility in ('private', 'school')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index shared_games_user_id_idx on public.shared_games (user_id);
create index shared_games_created_at_idx on public.shared_games (created_at);

alter table public.shared_games enable row level security;
revoke all on table public.shared_games from public, anon, authenticated, service_role;

comment on table public.shared_games is
'Games a pupil made, optionally shared with the school. Purpose: portfolio and sharing. ROPA V-05. Legal basis: Art. 6(1)(e) public task; Art. 6(1)(a) consent when shared. Retention: 1 year after created_at (S-RET-5).';
comment on column public.shared_games.user_id is 'The author. ROPA V-05. Retention: 1 year.';
comment on column public.shared_games.title is 'Title. ROPA V-05. Retention: 1 year.';
comment on column public.shared_games.config is 'Game configuration. ROPA V-05. Retention: 1 year.';
comment on column public.shared_games.visibility is 'private or school. ROPA V-05. Retention: 1 year.';
comment on column public.shared_games.created_at is 'When; the retention clock. ROPA V-05. Retention: 1 year.';
