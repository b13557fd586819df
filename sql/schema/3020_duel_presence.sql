/* Online presence for duel matchmaking (V-08): 1 day, purged every 30 minutes (S-RET-1). */
create table public.duel_presence (
    user_id uuid primary key references public.users (id) on delete cascade,
    last_seen_at timestamptz not null default now()
);
create index duel_presence_last_seen_at_idx on public.duel_presence (last_seen_at);

alter table public.duel_presence enable row level security;
revoke all on table public.duel_presence from public, anon, authenticated, service_role;

comment on table public.duel_presence is
'Last time a pupil was online for duels. Purpose: matchmaking. ROPA V-08. Legal basis: Art. 6(1)(e) public task, Art. 6(1)(f) legitimate interest. Retention: 1 day after last_seen_at (S-RET-1).';
comment on column public.duel_presence.user_id is 'The pupil. ROPA V-08. Retention: 1 day.';
comment on column public.duel_presence.last_seen_at is 'Last seen; the retention clock. ROPA V-08. Retention: 1 day.';
