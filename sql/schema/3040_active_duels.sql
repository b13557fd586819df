/* Running duels and their scores (V-08): written by service_role; 7 days (S-RET-2). */
create table public.active_duels (
    id bigint generated always as identity primary key,
    player1_id uuid not null references public.users (id) on delete cascade,
    player2_id uuid not null references public.users (id) on delete cascade,
    player1_score integer not null default 0 check (player1_score between 0 and 100000),
    player2_score integer not null default 0 check (player2_score between 0 and 100000),
    created_at timestamptz not null default now(),
    finished_at timestamptz,
    constraint active_duels_two_players check (player1_id <> player2_id)
);
create index active_duels_player1_id_idx on public.active_duels (player1_id);
create index active_duels_player2_id_idx on public.active_duels (player2_id);
create index active_duels_created_at_idx on public.active_duels (created_at);

alter table public.active_duels enable row level security;
revoke all on table public.active_duels from public, anon, authenticated, service_role;

comment on table public.active_duels is
'A duel between two pupils and its scores. ROPA V-08. Legal basis: Art. 6(1)(e), Art. 6(1)(f). Retention: 7 days after created_at (S-RET-2).';
comment on column public.active_duels.player1_id is 'First player. ROPA V-08. Retention: 7 days.';
comment on column public.active_duels.player2_id is 'Second player. ROPA V-08. Retention: 7 days.';
comment on column public.active_duels.player1_score is 'Score of player 1. ROPA V-08. Retention: 7 days.';
comment on column public.active_duels.player2_score is 'Score of player 2. ROPA V-08. Retention: 7 days.';
comment on column public.active_duels.created_at is 'When the duel started; the retention clock. ROPA V-08. Retention: 7 days.';
comment on column public.active_duels.finished_at is 'When it ended. ROPA V-08. Retention: 7 days.';
