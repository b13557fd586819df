/* Per-user settings (V-01): one row per user, owner only. */
create table public.user_settings (
    user_id uuid primary key references public.users (id) on delete cascade,
    settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object' and pg_column_size(settings) <= 16384),
    updated_at timestamptz not null default now()
);

alter table public.user_settings enable row level security;
revoke all on table public.user_settings from public, anon, authenticated, service_role;

comment on table public.user_settings is
'Personal settings (theme, accessibility). Purpose: the user''s own preferences. ROPA V-01. Legal basis: Art. 6(1)(b) agreement. Retention: account lifetime (cascade).';
comment on column public.user_settings.user_id is 'Owner. ROPA V-01. Retention: account lifetime.';
comment on column public.user_settings.settings is 'Settings object. ROPA V-01. Retention: account lifetime.';
comment on column public.user_settings.updated_at is 'Last change. ROPA V-01. Retention: account lifetime.';
