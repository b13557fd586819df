/* Duel challenges between pupils of one school (V-08): 7 days, purged daily 05:00 UTC (S-RET-2). */
create table public.duel_challenges (
    id bigint generated always as identity primary key,
    challenger_id uuid not null references public.users (id) on delete cascade,
    challenged_id uuid not null references public.users (id) on delete cascade,
    status text not null default 'pending' check (status in ('pending', 'accepted', 'declined', 'cancelled')),
    created_at timestamptz not null default now(),
    responded_at timestamptz,
    constraint duel_challenges_not_self check (challenger_id <> challenged_id)
);
create index duel_challenges_challenger_id_idx on public.duel_challenges (challenger_id);
create index duel_challenges_challenged_id_idx on public.duel_challenges (challenged_id);
create index duel_challenges_created_at_idx on public.duel_challenges (created_at);

alter table public.duel_challenges enable row level security;
revoke all on table public.duel_challenges from public, anon, authenticated, service_role;

comment on table public.duel_challenges is
'A pupil challenging another pupil of the same school to a quiz duel. ROPA V-08. Legal basis: Art. 6(1)(e), Art. 6(1)(f). Retention: 7 days after created_at (S-RET-2).';
comment on column public.duel_challenges.challenger_id is 'Challenging pupil. ROPA V-08. Retention: 7 days.';
comment on column public.duel_challenges.challenged_id is 'Challenged pupil. ROPA V-08. Retention: 7 days.';
comment on column public.duel_challenges.status is 'pending, accepted, declined, cancelled. ROPA V-08. Retention: 7 days.';
comment on column public.duel_challenges.created_at is 'When; the retention clock. ROPA V-08. Retention: 7 days.';
comment on column public.duel_challenges.responded_at is 'When the challenged pupil answered. ROPA V-08. Retention: 7 days.';
