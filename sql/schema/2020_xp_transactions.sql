/*
  XP transactions (V-03): server-computed only (anti-cheat). No API role may write
  them directly, service_role included; award_xp() is the only writer and bounds the
  amount.
*/
create table public.xp_transactions (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    amount integer not null check (amount between -1000 and 1000 and amount <> 0),
    source text not null check (char_length(source) between 1 and 100),
    created_at timestamptz not null default now()
);
create index xp_transactions_user_id_idx on public.xp_transactions (user_id, created_at);

alter table public.xp_transactions enable row level security;
revoke all on table public.xp_transactions from public, anon, authenticated, service_role;

comment on table public.xp_transactions is
'XP awarded to a pupil, computed server-side. Purpose: gamification of the learning process. ROPA V-03. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime (cascade).';
comment on column public.xp_transactions.user_id is 'The pupil. ROPA V-03. Retention: account lifetime.';
comment on column public.xp_transactions.amount is 'XP amount (bounded). ROPA V-03. Retention: account lifetime.';
comment on column public.xp_transactions.source is 'What earned the XP. ROPA V-03. Retention: account lifetime.';
comment on column public.xp_transactions.created_at is 'When. ROPA V-03. Retention: account lifetime.';
