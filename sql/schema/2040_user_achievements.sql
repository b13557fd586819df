/* Badges earned (V-03): written by service_role. */
create table public.user_achievements (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    badge text not null check (char_length(badge) between 1 and 100),
    earned_at timestamptz not null default now(),
    unique (user_id, badge)
);

alter table public.user_achievements enable row level security;
revoke all on table public.user_achievements from public, anon, authenticated, service_role;

comment on table public.user_achievements is
'Badges a pupil earned. Purpose: learning motivation. ROPA V-03. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime (cascade).';
comment on column public.user_achievements.user_id is 'The pupil. ROPA V-03. Retention: account lifetime.';
comment on column public.user_achievements.badge is 'Badge identifier. ROPA V-03. Retention: account lifetime.';
comment on column public.user_achievements.earned_at is 'When it was earned. ROPA V-03. Retention: account lifetime.';
