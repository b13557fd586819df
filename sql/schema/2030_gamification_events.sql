/* Gamification events (V-03): written by service_role. */
create table public.gamification_events (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    event_type text not null check (char_length(event_type) between 1 and 100),
    payload jsonb not null default '{}'::jsonb check (pg_column_size(payload) <= 8192),
    created_at timestamptz not null default now()
);
create index gamification_events_user_id_idx on public.gamification_events (user_id, created_at);

alter table public.gamification_events enable row level security;
revoke all on table public.gamification_events from public, anon, authenticated, service_role;

comment on table public.gamification_events is
'Gamification events (level up, streaks). Purpose: learning motivation. ROPA V-03. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime (cascade).';
comment on column public.gamification_events.user_id is 'The pupil. ROPA V-03. Retention: account lifetime.';
comment on column public.gamification_events.event_type is 'Event type. ROPA V-03. Retention: account lifetime.';
comment on column public.gamification_events.payload is 'Event details. ROPA V-03. Retention: account lifetime.';
comment on column public.gamification_events.created_at is 'When. ROPA V-03. Retention: account lifetime.';
